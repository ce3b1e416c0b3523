package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.List;
import org.mtlspark.config.TaskConfig;

/**
 * How a task's label becomes a target, fit on the training split. Regression targets are
 * standardized with the training mean and deviation; classes are the sorted training values
 * (binary: "0", "1"), with their training counts for the majority-class baseline; a multi-label
 * task's classes are the labels seen in training, with the number of training rows carrying each.
 * The task's weight and loss come from its configuration.
 */
public record TaskEncoding(
    String name,
    TaskConfig.TaskType type,
    String column,
    double weight,
    List<String> classes,
    List<Long> classCounts,
    double mean,
    double std,
    long trainLabels,
    TaskConfig.Loss loss,
    double huberDelta)
    implements Serializable {

  /** An encoding with the default loss (MSE for regression). */
  public TaskEncoding(String name, TaskConfig.TaskType type, String column, double weight, List<String> classes,
      List<Long> classCounts, double mean, double std, long trainLabels) {
    this(name, type, column, weight, classes, classCounts, mean, std, trainLabels, TaskConfig.Loss.MSE, 1.0);
  }

  /** Width of the task's label array: 1 for regression and binary, the class (or label) count otherwise. */
  public int width() {
    return type == TaskConfig.TaskType.MULTICLASS || type == TaskConfig.TaskType.MULTILABEL ? classes.size() : 1;
  }

  /** The index of the most frequent training class (ties: the first). */
  public int majorityClass() {
    int best = 0;
    for (int i = 1; i < classCounts.size(); i++) {
      if (classCounts.get(i) > classCounts.get(best)) {
        best = i;
      }
    }
    return best;
  }
}
