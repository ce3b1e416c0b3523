package org.mtlspark.workers.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;

class RetrainDecisionTest {
  static EvaluateJob.Report report(double rmse, double f1) {
    return new EvaluateJob.Report("r", "test", 100, Map.of(
        "spend", new TaskMetrics("spend", TaskConfig.TaskType.REGRESSION, 100, "rmse", Map.of("rmse", rmse),
            Map.of("rmse", 20.0), true, 0),
        "tier", new TaskMetrics("tier", TaskConfig.TaskType.MULTICLASS, 100, "macro_f1", Map.of("macro_f1", f1),
            Map.of("macro_f1", 0.2), true, 0)), Map.of());
  }

  @Test
  void aTaskRegressesWhenItsPrimaryMetricIsWorseByMoreThanTheTolerance() {
    EvaluateJob.Report promoted = report(6.0, 0.80);
    assertTrue(RetrainJob.regressions(report(6.1, 0.81), promoted, 0.02).isEmpty(), "1.7% worse rmse is tolerated");
    List<String> r = RetrainJob.regressions(report(6.3, 0.81), promoted, 0.02);
    assertEquals(1, r.size());
    assertTrue(r.get(0).startsWith("spend rmse 6.3000 against 6.0000 (5.0% worse)"), r.get(0));
    List<String> f1 = RetrainJob.regressions(report(5.0, 0.70), promoted, 0.02);
    assertTrue(f1.size() == 1 && f1.get(0).startsWith("tier macro_f1"), f1.toString());
  }

  @Test
  void warmStartNeedsTheSameDataPrepModelAndTasks() {
    MtlConfig a = ConfigLoader.load(List.of(), List.of());
    assertTrue(RetrainJob.differences(a, ConfigLoader.load(List.of(), List.of("train.epochs=9"))).isEmpty(),
        "training settings may change");
    assertEquals(List.of("prep", "model"), RetrainJob.differences(a, ConfigLoader.load(List.of(),
        List.of("model.trunk=[8]", "prep.batchSize=16"))));
  }
}
