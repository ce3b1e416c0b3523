package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig.TaskType;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class MetricTest {
  @Test
  void anErrorOtherThanRmseIsBetterLower() {
    for (Metric error : List.of(Metric.RMSE, Metric.MAE)) {
      assertFalse(error.higherIsBetter(), error.id());
      assertTrue(error.isBetter(1.0, 2.0), error.id());
      assertFalse(error.isBetter(2.0, 1.0), error.id());
      assertEquals(0.5, error.gain(1.0, 2.0), 1e-12);
      assertEquals(-0.5, error.gain(3.0, 2.0), 1e-12);
      assertEquals(0.25, error.worseBy(2.5, 2.0), 1e-12);
      assertEquals(-0.25, error.worseBy(1.5, 2.0), 1e-12);
      assertEquals(0.25, error.betterBy(1.5, 2.0), 1e-12);
    }
  }

  @Test
  void aScoreIsBetterHigherAndItsGainIsTowardOne() {
    for (Metric score : List.of(Metric.AUC, Metric.ACCURACY, Metric.MACRO_F1, Metric.MICRO_F1)) {
      assertTrue(score.higherIsBetter(), score.id());
      assertTrue(score.isBetter(0.8, 0.6), score.id());
      assertFalse(score.isBetter(0.6, 0.6), score.id());
      assertEquals(0.5, score.gain(0.8, 0.6), 1e-12);
      assertEquals(0, score.gain(1.0, 1.0), 1e-12);
      assertEquals(0.25, score.worseBy(0.6, 0.8), 1e-12);
      assertEquals(0.25, Metric.betterBy(score.id(), 1.0, 0.8), 1e-12);
    }
  }

  @Test
  void aMetricIsFoundByItsNameAndAnUnknownNameIsRefused() {
    assertEquals(Metric.MAE, Metric.of("mae"));
    assertEquals(Metric.MACRO_F1, Metric.of("macro_f1"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Metric.of("r2"));
    assertTrue(
        e.getMessage().contains("unknown metric r2") && e.getMessage().contains("rmse"),
        e.getMessage());
  }

  static TaskMetrics task(String name, String metric, double value, double baseline) {
    return new TaskMetrics(
        name,
        TaskType.REGRESSION,
        100,
        metric,
        Map.of(metric, value),
        Map.of(metric, baseline),
        Metric.of(metric).isBetter(value, baseline),
        0);
  }

  @Test
  void theObjectiveGainsWhenAnErrorFallsWhicheverErrorItIs() {
    // An mae primary metric below its baseline is a gain, as an rmse is: no metric is matched by
    // name.
    assertEquals(0.5, ValidationObjective.of(List.of(task("a", "mae", 1.0, 2.0)), Map.of()), 1e-12);
    assertEquals(
        0.5, ValidationObjective.of(List.of(task("a", "rmse", 1.0, 2.0)), Map.of()), 1e-12);
    assertEquals(
        -0.5, ValidationObjective.of(List.of(task("a", "mae", 3.0, 2.0)), Map.of()), 1e-12);
    assertEquals(
        0.5, ValidationObjective.of(List.of(task("b", "auc", 0.75, 0.5)), Map.of()), 1e-12);
    // Weighted: (3 * 0.5 + 1 * 0.25) / 4.
    assertEquals(
        1.75 / 4,
        ValidationObjective.of(
            List.of(task("a", "mae", 1.0, 2.0), task("b", "macro_f1", 0.4, 0.2)), Map.of("a", 3.0)),
        1e-12);
  }

  @Test
  void metricsJsonKeepsTheMetricsNameAndReadsWithoutAnythingMore() throws Exception {
    ObjectMapper json = new ObjectMapper();
    String written = json.writeValueAsString(task("a", "mae", 1.0, 2.0));
    assertTrue(written.contains("\"primaryMetric\":\"mae\""), written);
    assertFalse(written.contains("MAE") || written.contains("gainOverBaseline"), written);
    String old =
        "{\"task\":\"spend\",\"type\":\"REGRESSION\",\"examples\":10,\"primaryMetric\":\"rmse\","
            + "\"metrics\":{\"rmse\":1.0,\"mae\":0.8},\"baseline\":{\"rmse\":2.0,\"mae\":1.5},\"beatsBaseline\":true,"
            + "\"loss\":0.5,\"classes\":null,\"confusion\":null}";
    TaskMetrics read = json.readValue(old, TaskMetrics.class);
    assertEquals(Metric.RMSE, read.primary());
    assertEquals(0.5, read.gainOverBaseline(), 1e-12);
  }
}
