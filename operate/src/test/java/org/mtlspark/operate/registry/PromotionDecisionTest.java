package org.mtlspark.operate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.Metric;
import org.mtlspark.workers.eval.TaskMetrics;

class PromotionDecisionTest {
  static TaskMetrics task(
      String name, TaskType type, String metric, double value, double baseline) {
    return new TaskMetrics(
        name,
        type,
        100,
        metric,
        Map.of(metric, value),
        Map.of(metric, baseline),
        Metric.of(metric).isBetter(value, baseline),
        0);
  }

  /** Three tasks: spend (rmse, baseline 20), tier (macro_f1, baseline 0.2), delay (mae, baseline 4). */
  static EvaluateJob.Report report(double rmse, double f1, double mae) {
    Map<String, TaskMetrics> tasks = new LinkedHashMap<>();
    tasks.put("spend", task("spend", TaskType.REGRESSION, "rmse", rmse, 20.0));
    tasks.put("tier", task("tier", TaskType.MULTICLASS, "macro_f1", f1, 0.2));
    tasks.put("delay", task("delay", TaskType.REGRESSION, "mae", mae, 4.0));
    return new EvaluateJob.Report("r", "test", 100, tasks, Map.of());
  }

  static PromotionDecision decide(EvaluateJob.Report fresh, EvaluateJob.Report old) {
    return PromotionDecision.decide(fresh, old, "v0001", null, 0.02, Map.of());
  }

  @Test
  void theFirstVersionIsPromotedWhenEveryTaskBeatsItsBaseline() {
    PromotionDecision d =
        PromotionDecision.decide(report(6, 0.8, 1), null, null, null, 0.02, Map.of());
    assertTrue(d.promote());
    assertEquals("first version, and every task beats its baseline", d.reason());
    assertEquals((14.0 / 20 + 0.6 / 0.8 + 3.0 / 4) / 3, d.newObjective(), 1e-12);
    assertTrue(Double.isNaN(d.promotedObjective()));
  }

  @Test
  void theFirstVersionIsNotPromotedWhenATaskDoesNotBeatItsBaseline() {
    // An mae above its baseline does not beat it, though the number is higher.
    PromotionDecision d =
        PromotionDecision.decide(report(6, 0.1, 5), null, null, null, 0.02, Map.of());
    assertFalse(d.promote());
    assertEquals("first version, but not every task beats its baseline: tier, delay", d.reason());
  }

  @Test
  void aPromotedVersionThatCannotReadTheDataIsNotComparedAndNothingIsPromoted() {
    PromotionDecision d =
        PromotionDecision.decide(
            report(6, 0.8, 1),
            null,
            "v0001",
            "the promoted v0001 cannot read this data: no column plan",
            0.02,
            Map.of());
    assertFalse(d.promote());
    assertEquals(
        "the promoted v0001 cannot read this data: no column plan; promote it by hand after a look",
        d.reason());
    assertTrue(Double.isNaN(d.promotedObjective()));
  }

  @Test
  void anObjectiveThatDoesNotImproveIsNotPromoted() {
    PromotionDecision same = decide(report(6, 0.8, 1), report(6, 0.8, 1));
    assertFalse(same.promote());
    assertEquals(
        String.format(
            "the objective did not improve: %.4f, promoted v0001 %.4f",
            same.newObjective(), same.promotedObjective()),
        same.reason());
    // A higher mae is worse, not better.
    PromotionDecision worse = decide(report(6, 0.8, 1.5), report(6, 0.8, 1));
    assertFalse(worse.promote());
    assertTrue(worse.newObjective() < worse.promotedObjective());
    assertTrue(worse.reason().startsWith("the objective did not improve"), worse.reason());
  }

  @Test
  void aTaskRegressedBeyondTheToleranceStopsThePromotion() {
    // The rmse and F1 improve a lot; the mae is 5% worse, beyond 2%.
    PromotionDecision d = decide(report(3, 0.95, 1.05), report(6, 0.8, 1));
    assertFalse(d.promote());
    assertTrue(d.newObjective() > d.promotedObjective());
    assertEquals(
        String.format(
            "the objective improved (%.4f, promoted %.4f) but tasks regressed beyond the "
                + "tolerance of 2.0%%: delay mae 1.0500 against 1.0000 (5.0%% worse)",
            d.newObjective(), d.promotedObjective()),
        d.reason());
    assertTrue(
        PromotionDecision.decide(
                report(3, 0.95, 1.05), report(6, 0.8, 1), "v0001", null, 0.1, Map.of())
            .promote(),
        "within a tolerance of 10%");
  }

  @Test
  void anImprovedObjectiveWithoutRegressionsIsPromoted() {
    PromotionDecision d = decide(report(5, 0.85, 0.99), report(6, 0.8, 1));
    assertTrue(d.promote());
    assertEquals(
        String.format(
            "the objective improved: %.4f, promoted v0001 %.4f; no task regressed beyond 2.0%%",
            d.newObjective(), d.promotedObjective()),
        d.reason());
  }

  @Test
  void theWeightsOfTheObjectiveDecideWhichChangeCounts() {
    // Better rmse, worse F1 (within a tolerance of 50%): up unweighted, down when tier weighs 10.
    EvaluateJob.Report fresh = report(4, 0.7, 1);
    EvaluateJob.Report old = report(6, 0.75, 1);
    assertTrue(PromotionDecision.decide(fresh, old, "v0001", null, 0.5, Map.of()).promote());
    assertFalse(
        PromotionDecision.decide(fresh, old, "v0001", null, 0.5, Map.of("tier", 10.0)).promote());
  }

  @Test
  void aTaskRegressesWhenItsPrimaryMetricIsWorseByMoreThanTheToleranceWhicheverWayItPoints() {
    EvaluateJob.Report promoted = report(6.0, 0.80, 1.0);
    assertTrue(
        PromotionDecision.regressions(report(6.1, 0.81, 1.0), promoted, 0.02).isEmpty(),
        "1.7% worse rmse is tolerated");
    List<String> r = PromotionDecision.regressions(report(6.3, 0.81, 0.9), promoted, 0.02);
    assertEquals(List.of("spend rmse 6.3000 against 6.0000 (5.0% worse)"), r);
    List<String> f1 = PromotionDecision.regressions(report(5.0, 0.70, 1.0), promoted, 0.02);
    assertTrue(f1.size() == 1 && f1.get(0).startsWith("tier macro_f1"), f1.toString());
    List<String> mae = PromotionDecision.regressions(report(6.0, 0.80, 1.1), promoted, 0.02);
    assertTrue(mae.size() == 1 && mae.get(0).startsWith("delay mae 1.1000"), mae.toString());
  }
}
