package org.mtlspark.bench.quality;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mtlspark.workers.eval.Metric;

/**
 * Delta-m, the summary of a multi-task model that the multi-task literature reports (Maninis et
 * al. 2019; LibMTL, MTAN): the mean over the tasks of the model's relative gain over the
 * single-task model of each task, signed by the metric's direction, so that a positive value says
 * sharing helped on average and a negative one says it hurt. Here one value per seed of the
 * model, each against the single-task models' mean over their seeds, gives a mean and a standard
 * deviation over seeds.
 */
public final class DeltaM {
  private DeltaM() {}

  /**
   * The relative gain of one run over the references, averaged over the tasks.
   *
   * @param metrics each task's metric id (its direction decides the sign)
   * @param reference each task's single-task figure
   * @param run each task's figure in one run of the model compared
   */
  public static double of(
      Map<String, String> metrics, Map<String, Double> reference, Map<String, Double> run) {
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("Delta-m needs at least one task");
    }
    double sum = 0;
    for (Map.Entry<String, String> task : metrics.entrySet()) {
      Double ref = reference.get(task.getKey());
      Double value = run.get(task.getKey());
      if (ref == null || value == null) {
        throw new IllegalArgumentException("no figure for task " + task.getKey());
      }
      sum += Metric.betterBy(task.getValue(), value, ref);
    }
    return sum / metrics.size();
  }

  /** {@link #of} for each run of the model, as a mean and standard deviation over the runs. */
  public static Spread over(
      Map<String, String> metrics, Map<String, Double> reference, List<Map<String, Double>> runs) {
    List<Double> values = new ArrayList<>();
    for (Map<String, Double> run : runs) {
      values.add(of(metrics, reference, run));
    }
    return Spread.of(values);
  }
}
