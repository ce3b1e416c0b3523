package org.mtlspark.workers.eval;

import java.io.Serializable;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mergeable sufficient statistics of one task over labelled (unmasked) rows: errors of the model
 * and of the training-mean baseline for regression, in the label's own units; a confusion matrix
 * for classes; a histogram of scores per true class for the binary AUC.
 */
public final class TaskAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int BINS = 2000;

  final TaskEncoding task;
  long n;
  double sse;
  double sae;
  double baselineSse;
  double baselineSae;
  final long[][] confusion;
  final long[][] scoreHistogram;

  public TaskAccumulator(TaskEncoding task) {
    this.task = task;
    int k = task.type() == TaskConfig.TaskType.REGRESSION ? 0 : task.classes().size();
    confusion = new long[k][k];
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
      switch (task.type()) {
        case REGRESSION -> {
          double p = predictions.getDouble(i, 0) * task.std() + task.mean();
          double y = labels.getDouble(i, 0) * task.std() + task.mean();
          sse += (p - y) * (p - y);
          sae += Math.abs(p - y);
          baselineSse += (task.mean() - y) * (task.mean() - y);
          baselineSae += Math.abs(task.mean() - y);
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
        default -> throw new IllegalStateException(task.type().toString());
      }
    }
  }

  public TaskAccumulator merge(TaskAccumulator o) {
    n += o.n;
    sse += o.sse;
    sae += o.sae;
    baselineSse += o.baselineSse;
    baselineSae += o.baselineSae;
    for (int i = 0; i < confusion.length; i++) {
      for (int j = 0; j < confusion.length; j++) {
        confusion[i][j] += o.confusion[i][j];
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
