package org.mtlspark.workers.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The arithmetic of the gradient-balancing methods, on each task's gradient of the shared
 * parameters (one row per task):
 *
 * <ul>
 *   <li>{@link #pcgrad PCGrad} (Yu et al., NeurIPS 2020): a task's gradient that conflicts with
 *       another's (negative inner product) loses its component along the other; the projected
 *       gradients are summed.
 *   <li>{@link #minNormWeights MGDA} (Sener and Koltun, NeurIPS 2018): the convex combination of
 *       the gradients with the least norm, found by Frank-Wolfe on their Gram matrix (exact for two
 *       tasks).
 *   <li>{@link #gradNormStep GradNorm} (Chen et al., ICML 2018): one step of the task weights
 *       towards gradient norms proportional to each task's relative inverse training rate.
 * </ul>
 */
final class TaskGradients {
  private static final int FRANK_WOLFE_STEPS = 250;
  private static final double FRANK_WOLFE_TOLERANCE = 1e-7;

  /** The least a GradNorm weight may fall to before the weights are rescaled. */
  static final double MIN_WEIGHT = 1e-3;

  private TaskGradients() {}

  static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  /** The inner products of every pair of gradients. */
  static double[][] gram(double[][] g) {
    int k = g.length;
    double[][] m = new double[k][k];
    for (int i = 0; i < k; i++) {
      for (int j = i; j < k; j++) {
        m[i][j] = dot(g[i], g[j]);
        m[j][i] = m[i][j];
      }
    }
    return m;
  }

  /**
   * PCGrad: for each task i, its gradient projected in turn (the other tasks in an order drawn from
   * {@code random}) onto the normal plane of every other task's gradient it has a negative inner
   * product with; the sum of the projected gradients.
   */
  static double[] pcgrad(double[][] g, Random random) {
    int k = g.length;
    double[] squared = new double[k];
    for (int j = 0; j < k; j++) {
      squared[j] = dot(g[j], g[j]);
    }
    double[] out = new double[g[0].length];
    for (int i = 0; i < k; i++) {
      double[] p = g[i].clone();
      List<Integer> others = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        if (j != i) {
          others.add(j);
        }
      }
      Collections.shuffle(others, random);
      for (int j : others) {
        double c = dot(p, g[j]);
        if (c < 0 && squared[j] > 0) {
          double f = c / squared[j];
          for (int x = 0; x < p.length; x++) {
            p[x] -= f * g[j][x];
          }
        }
      }
      for (int x = 0; x < p.length; x++) {
        out[x] += p[x];
      }
    }
    return out;
  }

  /** The most tasks whose least-norm weights are found exactly (over every subset of them). */
  static final int EXACT_TASKS = 8;

  /**
   * The weights alpha (non-negative, summing to 1) of the point of least norm in the convex hull of
   * the gradients whose Gram matrix is {@code gram}. Up to {@link #EXACT_TASKS} tasks, exactly: the
   * least-norm point lies in the relative interior of some face with affinely independent
   * vertices, where it is the least-norm point of the face's affine hull, so the best of those
   * that are feasible over every subset is the answer. Beyond, Frank-Wolfe
   * ({@link #frankWolfe}).
   */
  static double[] minNormWeights(double[][] gram) {
    int k = gram.length;
    if (k > EXACT_TASKS) {
      return frankWolfe(gram);
    }
    double[] best = null;
    double bestNorm = Double.POSITIVE_INFINITY;
    for (int subset = 1; subset < 1 << k; subset++) {
      double[] alpha = faceMinimum(gram, subset);
      if (alpha == null) {
        continue;
      }
      double norm = 0;
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          norm += alpha[i] * gram[i][j] * alpha[j];
        }
      }
      if (best == null || norm < bestNorm - 1e-15 * Math.abs(bestNorm)) {
        bestNorm = norm;
        best = alpha;
      }
    }
    return best;
  }

  /**
   * The least-norm point of the affine hull of the gradients in {@code subset} (a bit set) as
   * weights over all tasks, or null when it is not in their convex hull (a negative weight) or
   * the gradients are affinely dependent (a smaller face then holds the same point). Solves the
   * optimality conditions G alpha - mu 1 = 0, sum alpha = 1, which need affine (not linear)
   * independence: the origin inside the hull gives alpha with G alpha = 0.
   */
  private static double[] faceMinimum(double[][] gram, int subset) {
    int[] idx =
        java.util.stream.IntStream.range(0, gram.length)
            .filter(i -> (subset & (1 << i)) != 0)
            .toArray();
    int n = idx.length;
    int size = n + 1;
    double[][] a = new double[size][size + 1];
    double scale = 0;
    for (int r = 0; r < n; r++) {
      for (int c = 0; c < n; c++) {
        a[r][c] = gram[idx[r]][idx[c]];
        scale = Math.max(scale, Math.abs(a[r][c]));
      }
    }
    scale = Math.max(scale, 1e-300);
    for (int r = 0; r < n; r++) {
      a[r][n] = -scale;
      a[n][r] = scale;
    }
    a[n][size] = scale;
    // Gauss-Jordan elimination with partial pivoting.
    for (int col = 0; col < size; col++) {
      int pivot = col;
      for (int r = col + 1; r < size; r++) {
        if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
          pivot = r;
        }
      }
      if (Math.abs(a[pivot][col]) < 1e-12 * scale) {
        return null;
      }
      double[] t = a[col];
      a[col] = a[pivot];
      a[pivot] = t;
      for (int r = 0; r < size; r++) {
        if (r != col) {
          double f = a[r][col] / a[col][col];
          for (int c = col; c <= size; c++) {
            a[r][c] -= f * a[col][c];
          }
        }
      }
    }
    double[] alpha = new double[gram.length];
    for (int r = 0; r < n; r++) {
      double v = a[r][size] / a[r][r];
      if (v < -1e-12) {
        return null;
      }
      alpha[idx[r]] = Math.max(0, v);
    }
    return alpha;
  }

  /**
   * Frank-Wolfe from equal weights, each step moving towards the gradient with the least inner
   * product with the current point by the exact line search between two points (Sener and
   * Koltun's Algorithm 2); within about 1e-3 of the least squared norm after its 250 steps.
   */
  static double[] frankWolfe(double[][] gram) {
    int k = gram.length;
    double[] alpha = new double[k];
    java.util.Arrays.fill(alpha, 1.0 / k);
    if (k == 1) {
      return alpha;
    }
    for (int step = 0; step < FRANK_WOLFE_STEPS; step++) {
      double[] ma = new double[k];
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          ma[i] += gram[i][j] * alpha[j];
        }
      }
      int t = 0;
      for (int i = 1; i < k; i++) {
        if (ma[i] < ma[t]) {
          t = i;
        }
      }
      double aa = dot(alpha, ma);
      double at = ma[t];
      double tt = gram[t][t];
      double gamma = lineSearch(aa, at, tt);
      double change = 0;
      for (int i = 0; i < k; i++) {
        double next = gamma * alpha[i] + (i == t ? 1 - gamma : 0);
        change += Math.abs(next - alpha[i]);
        alpha[i] = next;
      }
      if (change < FRANK_WOLFE_TOLERANCE) {
        break;
      }
    }
    return alpha;
  }

  /**
   * The gamma in [0, 1] that minimises |gamma a + (1 - gamma) b|^2, given a.a, a.b and b.b.
   */
  static double lineSearch(double aa, double ab, double bb) {
    double denominator = aa + bb - 2 * ab;
    if (denominator <= 0) {
      return ab >= aa ? 1 : 0;
    }
    return Math.min(1, Math.max(0, (bb - ab) / denominator));
  }

  /**
   * One GradNorm step. {@code gradNorms[i]} is the norm of task i's weighted gradient of the shared
   * parameters (its weight included), {@code lossRatios[i]} its loss now over its loss at the
   * start. The target norm of task i is the mean norm times (its ratio over the mean ratio) to the
   * power {@code alpha}, held constant; each weight moves by {@code rate} times the derivative of
   * sum_i |norm_i - target_i| (sign(norm_i - target_i) times norm_i / weight_i), is held at
   * {@link #MIN_WEIGHT} or above, and the weights are rescaled to sum to the task count (which may
   * take one below the floor when the others are large).
   */
  static double[] gradNormStep(
      double[] weights, double[] gradNorms, double[] lossRatios, double alpha, double rate) {
    int k = weights.length;
    double meanNorm = 0;
    double meanRatio = 0;
    for (int i = 0; i < k; i++) {
      meanNorm += gradNorms[i] / k;
      meanRatio += lossRatios[i] / k;
    }
    double[] next = new double[k];
    double sum = 0;
    for (int i = 0; i < k; i++) {
      double target =
          meanRatio > 0 ? meanNorm * Math.pow(lossRatios[i] / meanRatio, alpha) : meanNorm;
      double derivative = Math.signum(gradNorms[i] - target) * gradNorms[i] / weights[i];
      next[i] = Math.max(MIN_WEIGHT, weights[i] - rate * derivative);
      sum += next[i];
    }
    for (int i = 0; i < k; i++) {
      next[i] *= k / sum;
    }
    return next;
  }
}
