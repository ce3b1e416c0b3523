package org.mtlspark.workers.eval;

import java.util.List;
import java.util.Map;

/**
 * One number to select and stop on: the weighted mean over tasks of each task's gain over its
 * baseline on its primary metric. For an error (rmse) the gain is (baseline - error) / baseline;
 * for a score (macro_f1, auc) it is (score - baseline) / (1 - baseline). 0 is the baseline, 1 is
 * perfect; higher is better. A task absent from {@code weights} weighs 1.
 */
public final class ValidationObjective {
  private ValidationObjective() {}

  public static double of(List<TaskMetrics> metrics, Map<String, Double> weights) {
    double sum = 0;
    double total = 0;
    for (TaskMetrics m : metrics) {
      double w = weights.getOrDefault(m.task(), 1.0);
      sum += w * gain(m);
      total += w;
    }
    return total == 0 ? 0 : sum / total;
  }

  static double gain(TaskMetrics m) {
    double model = m.metrics().get(m.primaryMetric());
    double base = m.baseline().get(m.primaryMetric());
    if (m.primaryMetric().equals("rmse")) {
      return base > 0 ? (base - model) / base : 0;
    }
    return base < 1 ? (model - base) / (1 - base) : 0;
  }
}
