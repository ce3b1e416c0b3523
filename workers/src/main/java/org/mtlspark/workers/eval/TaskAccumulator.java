package org.mtlspark.workers.eval;

import java.io.Serializable;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mergeable sufficient statistics of one task over labelled (unmasked) rows: errors of the model
 * and of the training-mean baseline for regression, in the label's own units (a transformed
 * target, e.g. log1p, is turned back first; the baseline is the training mean on the transformed
 * scale, turned back); a confusion matrix
 * for classes; a histogram of scores per true class for the binary AUC; for a multi-label task,
 * true and false positives and false negatives per label at threshold 0.5, for the model and for
 * the baseline that always predicts the most frequent training labels (as many as the mean
 * number of labels of a training row); for an ordinal task, the confusion matrix of the classes
 * (the number of cumulative outputs at least 0.5) and the absolute errors in classes of the model
 * and of the median training class.
 */
public final class TaskAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int BINS = 2000;

  final TaskEncoding task;
  long n;

  /** Sum over labelled rows of the task's own loss, unweighted (see {@link #rowLoss}). */
  double lossSum;

  double sse;
  double sae;
  double baselineSse;
  double baselineSae;
  final long[][] confusion;
  final long[][] scoreHistogram;

  /** Multi-label counts per label: rows 0-2 true positives, false positives, false negatives of the model; 3-5 of the baseline. */
  final long[][] labelCounts;

  private final boolean[] baselineLabels;

  public TaskAccumulator(TaskEncoding task) {
    this.task = task;
    boolean multiLabel = task.type() == TaskConfig.TaskType.MULTILABEL;
    int k = task.type() == TaskConfig.TaskType.REGRESSION || multiLabel ? 0 : task.classes().size();
    confusion = new long[k][k];
    labelCounts = new long[multiLabel ? 6 : 0][multiLabel ? task.classes().size() : 0];
    baselineLabels = multiLabel ? frequentLabels(task) : new boolean[0];
    scoreHistogram = task.type() == TaskConfig.TaskType.BINARY ? new long[2][BINS] : new long[0][0];
  }

  /** Adds the rows of one batch whose label mask is set. */
  public void add(INDArray predictions, INDArray labels, INDArray mask) {
    long rows = predictions.size(0);
    for (int i = 0; i < rows; i++) {
      if (mask != null && mask.getDouble(i, 0) == 0) {
        continue;
      }
      n++;
      lossSum += rowLoss(predictions, labels, i);
      switch (task.type()) {
        case REGRESSION -> {
          double p = task.label(predictions.getDouble(i, 0));
          double y = task.label(labels.getDouble(i, 0));
          double b = task.label(0);
          sse += (p - y) * (p - y);
          sae += Math.abs(p - y);
          baselineSse += (b - y) * (b - y);
          baselineSae += Math.abs(b - y);
        }
        case BINARY -> {
          double p = predictions.getDouble(i, 0);
          int y = labels.getDouble(i, 0) > 0.5 ? 1 : 0;
          confusion[y][p >= 0.5 ? 1 : 0]++;
          scoreHistogram[y][Math.min(BINS - 1, (int) (p * BINS))]++;
        }
        case MULTICLASS -> {
          int y = argmax(labels, i);
          confusion[y][argmax(predictions, i)]++;
        }
        case ORDINAL -> {
          int y = above(labels, i);
          int p = above(predictions, i);
          confusion[y][p]++;
          sae += Math.abs(p - y);
          baselineSae += Math.abs(task.medianClass() - y);
        }
        case MULTILABEL -> {
          for (int j = 0; j < labelCounts[0].length; j++) {
            boolean y = labels.getDouble(i, j) > 0.5;
            count(0, j, y, predictions.getDouble(i, j) >= 0.5);
            count(3, j, y, baselineLabels[j]);
          }
        }
        default -> throw new IllegalStateException(task.type().toString());
      }
    }
  }

  /**
   * The loss of row {@code i} as the task's head computes it, without the task weight: squared (or
   * Huber) error on the standardized target averaged over outputs, cross-entropy of the true class,
   * binary cross-entropy summed over the labels of a binary or multi-label task.
   */
  double rowLoss(INDArray predictions, INDArray labels, int i) {
    double eps = 1e-7;
    switch (task.type()) {
      case REGRESSION -> {
        double r = Math.abs(predictions.getDouble(i, 0) - labels.getDouble(i, 0));
        if (task.loss() == TaskConfig.Loss.HUBER) {
          double d = task.huberDelta();
          return r <= d ? r * r / 2 : d * (r - d / 2);
        }
        return r * r;
      }
      case MULTICLASS -> {
        return -Math.log(Math.max(eps, predictions.getDouble(i, argmax(labels, i))));
      }
      default -> {
        double sum = 0;
        for (int j = 0; j < predictions.size(1); j++) {
          double p = Math.min(1 - eps, Math.max(eps, predictions.getDouble(i, j)));
          double y = labels.getDouble(i, j);
          sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
        }
        return sum;
      }
    }
  }

  /** The ordinal class of row {@code i}: how many of its cumulative outputs are at least 0.5. */
  static int above(INDArray values, int i) {
    int k = 0;
    for (int j = 0; j < values.size(1); j++) {
      k += values.getDouble(i, j) >= 0.5 ? 1 : 0;
    }
    return k;
  }

  private void count(int base, int label, boolean truth, boolean predicted) {
    if (truth && predicted) {
      labelCounts[base][label]++;
    } else if (predicted) {
      labelCounts[base + 1][label]++;
    } else if (truth) {
      labelCounts[base + 2][label]++;
    }
  }

  /** The most frequent training labels, as many as a training row has on average (at least one). */
  static boolean[] frequentLabels(TaskEncoding task) {
    int k = task.classes().size();
    long total = task.classCounts().stream().mapToLong(Long::longValue).sum();
    int keep = (int) Math.max(1, Math.round((double) total / Math.max(1, task.trainLabels())));
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order, (a, b) -> Long.compare(task.classCounts().get(b), task.classCounts().get(a)));
    boolean[] out = new boolean[k];
    for (int i = 0; i < Math.min(keep, k); i++) {
      out[order[i]] = true;
    }
    return out;
  }

  public TaskAccumulator merge(TaskAccumulator o) {
    n += o.n;
    lossSum += o.lossSum;
    sse += o.sse;
    sae += o.sae;
    baselineSse += o.baselineSse;
    baselineSae += o.baselineSae;
    for (int i = 0; i < confusion.length; i++) {
      for (int j = 0; j < confusion.length; j++) {
        confusion[i][j] += o.confusion[i][j];
      }
    }
    for (int r = 0; r < labelCounts.length; r++) {
      for (int j = 0; j < labelCounts[r].length; j++) {
        labelCounts[r][j] += o.labelCounts[r][j];
      }
    }
    for (int c = 0; c < scoreHistogram.length; c++) {
      for (int b = 0; b < BINS; b++) {
        scoreHistogram[c][b] += o.scoreHistogram[c][b];
      }
    }
    return this;
  }

  private static int argmax(INDArray a, int row) {
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < a.size(1); j++) {
      double v = a.getDouble(row, j);
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    return best;
  }
}
