package org.mtlspark.workers.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mtlspark.config.TrainConfig;

/**
 * The task weights lambda_k of each epoch: the configured weight of each task, times a label-rate
 * compensation when enabled, times a dynamic factor updated between epochs on the driver from
 * each task's mean unweighted loss of the epoch before:
 *
 * <ul>
 *   <li>{@code static}: 1.
 *   <li>{@code dwa}, Dynamic Weight Average (Liu et al., CVPR 2019): with w_k the ratio of task k's
 *       last two losses, K * exp(w_k / T) / sum_i exp(w_i / T); a task whose loss falls more slowly
 *       gets more weight. 1 until two losses are known.
 *   <li>{@code inverse_loss}: the weight 1 / (2 sigma_k^2) of Kendall et al.'s uncertainty
 *       weighting (CVPR 2018) at the optimum of their objective for the last losses, sigma_k^2 =
 *       L_k; proportional to 1 / L_k, scaled to sum to K. A task with a larger loss (more noise)
 *       gets less weight.
 *   <li>the methods that act at every step inside the workers ({@link StepBalancer}): 1 here.
 * </ul>
 *
 * The compensation multiplies a task labelled on a fraction p_k of the training rows by 1 / p_k:
 * masked rows still count in each minibatch's divisor, so such a task otherwise gets about p_k of
 * the gradient it would get fully labelled.
 */
public final class TaskWeighting {
  private final TrainConfig.Weighting mode;
  private final double temperature;
  private final double[] base;
  private final List<double[]> losses = new ArrayList<>();

  /**
   * @param configured the tasks' configured weights
   * @param labelRates the fraction of training rows labelled for each task, or null for no compensation
   */
  public TaskWeighting(
      TrainConfig.Weighting mode, double temperature, double[] configured, double[] labelRates) {
    this.mode = mode;
    this.temperature = temperature;
    base = configured.clone();
    if (labelRates != null) {
      for (int k = 0; k < base.length; k++) {
        base[k] /= Math.max(labelRates[k], 1e-9);
      }
    }
  }

  public TrainConfig.Weighting mode() {
    return mode;
  }

  /** Records the mean loss of every task in an epoch (in epoch order). */
  public void record(double[] epochLosses) {
    losses.add(epochLosses.clone());
  }

  /** The weights for the next epoch, from the losses recorded so far. */
  public double[] weights() {
    double[] f = factors();
    double[] w = new double[base.length];
    for (int k = 0; k < w.length; k++) {
      w[k] = base[k] * f[k];
    }
    return w;
  }

  double[] factors() {
    int k = base.length;
    double[] ones = new double[k];
    Arrays.fill(ones, 1);
    return switch (mode) {
      case STATIC, UNCERTAINTY, GRADNORM, PCGRAD, MGDA, MGDA_UB -> ones;
      case DWA -> {
        if (losses.size() < 2
            || !usable(losses.get(losses.size() - 1))
            || !usable(losses.get(losses.size() - 2))) {
          yield ones;
        }
        double[] last = losses.get(losses.size() - 1);
        double[] before = losses.get(losses.size() - 2);
        double[] e = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
          e[i] = Math.exp(last[i] / before[i] / temperature);
          sum += e[i];
        }
        for (int i = 0; i < k; i++) {
          e[i] = k * e[i] / sum;
        }
        yield e;
      }
      case INVERSE_LOSS -> {
        if (losses.isEmpty() || !usable(losses.get(losses.size() - 1))) {
          yield ones;
        }
        double[] last = losses.get(losses.size() - 1);
        double[] inv = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++) {
          inv[i] = 1 / last[i];
          sum += inv[i];
        }
        for (int i = 0; i < k; i++) {
          inv[i] = k * inv[i] / sum;
        }
        yield inv;
      }
    };
  }

  /** Losses that can be divided by: finite and positive. */
  private static boolean usable(double[] l) {
    return Arrays.stream(l).allMatch(x -> x > 0 && Double.isFinite(x));
  }
}
