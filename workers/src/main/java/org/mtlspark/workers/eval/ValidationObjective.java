package org.mtlspark.workers.eval;

import java.util.List;
import java.util.Map;

/**
 * One number to select and stop on: the weighted mean over tasks of each task's gain over its
 * baseline on its primary metric ({@link Metric#gain}: 0 is the baseline, 1 is perfect, whichever
 * way the metric points); higher is better. A task absent from {@code weights} weighs 1.
 */
public final class ValidationObjective {
  private ValidationObjective() {}

  public static double of(List<TaskMetrics> metrics, Map<String, Double> weights) {
    double sum = 0;
    double total = 0;
    for (TaskMetrics m : metrics) {
      double w = weights.getOrDefault(m.task(), 1.0);
      sum += w * m.gainOverBaseline();
      total += w;
    }
    return total == 0 ? 0 : sum / total;
  }
}
