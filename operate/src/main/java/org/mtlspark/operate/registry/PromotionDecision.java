package org.mtlspark.operate.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.eval.ValidationObjective;

/**
 * Whether a retrained model replaces the promoted one, and why, from both models' metrics on the
 * same test split. The first version is promoted when every task beats its baseline; a later one
 * when the objective (the weighted mean gain over the baselines, as in training) improves and no
 * task's primary metric is worse than the promoted model's by more than the tolerance (relative).
 *
 * @param newObjective the objective of the new model on the test split
 * @param promotedObjective the same of the promoted model, or NaN when there is none to compare with
 */
public record PromotionDecision(
    boolean promote, String reason, double newObjective, double promotedObjective) {

  /**
   * @param fresh the new model's test metrics
   * @param old the promoted model's on the same holdout, or null when there is no promoted version or
   *     it cannot read this data
   * @param promotedVersion the promoted version, or null for the first version
   * @param notComparable why the promoted version was not evaluated (when {@code old} is null but
   *     {@code promotedVersion} is not)
   * @param tolerance how much worse (relative) a task's primary metric may be
   * @param weights the objective's task weights
   */
  public static PromotionDecision decide(
      EvaluateJob.Report fresh,
      EvaluateJob.Report old,
      String promotedVersion,
      String notComparable,
      double tolerance,
      Map<String, Double> weights) {
    double newObjective = objective(fresh, weights);
    if (promotedVersion == null) {
      boolean promote = fresh.allBeatBaseline();
      return new PromotionDecision(
          promote,
          promote
              ? "first version, and every task beats its baseline"
              : "first version, but not every task beats its baseline: " + belowBaseline(fresh),
          newObjective,
          Double.NaN);
    }
    if (old == null) {
      return new PromotionDecision(
          false, notComparable + "; promote it by hand after a look", newObjective, Double.NaN);
    }
    double oldObjective = objective(old, weights);
    if (!(newObjective > oldObjective)) {
      return new PromotionDecision(
          false,
          String.format(
              "the objective did not improve: %.4f, promoted %s %.4f",
              newObjective, promotedVersion, oldObjective),
          newObjective,
          oldObjective);
    }
    List<String> regressions = regressions(fresh, old, tolerance);
    if (!regressions.isEmpty()) {
      return new PromotionDecision(
          false,
          String.format(
              "the objective improved (%.4f, promoted %.4f) but tasks "
                  + "regressed beyond the tolerance of %.1f%%: %s",
              newObjective, oldObjective, 100 * tolerance, String.join("; ", regressions)),
          newObjective,
          oldObjective);
    }
    return new PromotionDecision(
        true,
        String.format(
            "the objective improved: %.4f, promoted %s %.4f; no task " + "regressed beyond %.1f%%",
            newObjective, promotedVersion, oldObjective, 100 * tolerance),
        newObjective,
        oldObjective);
  }

  static double objective(EvaluateJob.Report r, Map<String, Double> weights) {
    return ValidationObjective.of(List.copyOf(r.tasks().values()), weights);
  }

  /** Tasks whose primary metric is worse than the promoted model's by more than {@code tolerance} (relative). */
  static List<String> regressions(
      EvaluateJob.Report fresh, EvaluateJob.Report old, double tolerance) {
    List<String> out = new ArrayList<>();
    for (TaskMetrics m : fresh.tasks().values()) {
      TaskMetrics o = old.tasks().get(m.task());
      if (o == null) {
        continue;
      }
      double now = m.primaryValue();
      double was = o.primaryValue();
      double worse = m.primary().worseBy(now, was);
      if (worse > tolerance) {
        out.add(
            String.format(
                "%s %s %.4f against %.4f (%.1f%% worse)",
                m.task(), m.primaryMetric(), now, was, 100 * worse));
      }
    }
    return out;
  }

  private static String belowBaseline(EvaluateJob.Report r) {
    return String.join(
        ", ",
        r.tasks().values().stream()
            .filter(m -> !m.beatsBaseline())
            .map(TaskMetrics::task)
            .toList());
  }
}
