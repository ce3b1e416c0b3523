package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.factory.Nd4j;

class TaskMetricsTest {
  @Test
  void macroF1AndAccuracyFromAConfusionMatrix() {
    long[][] c = {{5, 1, 0}, {2, 3, 0}, {0, 0, 0}};
    assertEquals(8.0 / 11, TaskMetrics.accuracy(c), 1e-12);
    // class 0: tp 5, predicted 7, actual 6; class 1: tp 3, predicted 4, actual 5; class 2: absent,
    // left out.
    assertEquals((10.0 / 13 + 6.0 / 9) / 2, TaskMetrics.macroF1(c), 1e-12);
    // class 2 predicted once but never true: present, F1 0.
    long[][] wrong = {{5, 1, 1}, {2, 3, 0}, {0, 0, 0}};
    assertEquals((10.0 / 14 + 6.0 / 9 + 0) / 3, TaskMetrics.macroF1(wrong), 1e-12);
  }

  @Test
  void aPerfectPredictionOnASplitMissingSomeTrainingClassesHasMacroF1One() {
    List<String> classes = List.of("a", "b", "c", "d", "e");
    TaskEncoding t =
        new TaskEncoding(
            "m", TaskType.MULTICLASS, "m", 1, classes, List.of(5L, 4L, 3L, 2L, 1L), 0, 1, 15);
    TaskAccumulator a = new TaskAccumulator(t);
    // The split holds only classes a, c and d; the model is right on every row.
    float[][] labels = {{1, 0, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {1, 0, 0, 0, 0}};
    float[][] scores = {
      {0.9f, 0, 0.1f, 0, 0},
      {0, 0.2f, 0.7f, 0.1f, 0},
      {0, 0, 0.1f, 0.8f, 0.1f},
      {0.6f, 0.4f, 0, 0, 0}
    };
    a.add(Nd4j.createFromArray(scores), Nd4j.createFromArray(labels), null);
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals(1.0, m.metrics().get("macro_f1"));
    assertEquals(1.0, m.metrics().get("accuracy"));
    // Always 'a' (the training majority): F1 of a = 2*2/(4+2), c and d present with F1 0.
    assertEquals((4.0 / 6) / 3, m.baseline().get("macro_f1"), 1e-12);
  }

  @Test
  void aucCountsOrderedPairsAndHalfTies() {
    long[][] perfect = {{3, 0, 0}, {0, 0, 2}};
    assertEquals(1.0, TaskMetrics.auc(perfect), 1e-12);
    long[][] ties = {{0, 2, 0}, {0, 2, 0}};
    assertEquals(0.5, TaskMetrics.auc(ties), 1e-12);
    long[][] mixed = {{1, 1, 0}, {0, 1, 1}};
    // positives at bins 1 and 2, negatives at 0 and 1: wins 1 + 0.5 (tie) + 2 = 3.5 of 4 pairs.
    assertEquals(3.5 / 4, TaskMetrics.auc(mixed), 1e-12);
  }

  @Test
  void regressionErrorsAreInLabelUnitsAndMaskedRowsAreSkipped() {
    TaskEncoding t =
        new TaskEncoding("r", TaskType.REGRESSION, "r", 1, List.of(), List.of(), 100, 10, 5);
    TaskAccumulator a = new TaskAccumulator(t);
    // standardized predictions 0.5 and 0 against labels 0 and 0, the third row masked.
    a.add(
        Nd4j.createFromArray(new float[][] {{0.5f}, {0f}, {9f}}),
        Nd4j.createFromArray(new float[][] {{0}, {0}, {0}}),
        Nd4j.createFromArray(new float[][] {{1}, {1}, {0}}));
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals(2, m.examples());
    assertEquals(Math.sqrt(25 / 2.0), m.metrics().get("rmse"), 1e-6);
    assertEquals(2.5, m.metrics().get("mae"), 1e-6);
    assertEquals(0, m.baseline().get("rmse"), 1e-9, "labels equal the training mean here");
    assertFalse(m.beatsBaseline());
  }

  @Test
  void aLog1pTaskIsEvaluatedInLabelUnits() {
    // Training mean of log1p(y) = ln 10, sd 1: target 0 means y = 9.
    double ln10 = Math.log(10);
    TaskEncoding t =
        new TaskEncoding(
            "spend",
            TaskType.REGRESSION,
            "spend",
            1,
            List.of(),
            List.of(),
            ln10,
            1,
            3,
            TaskConfig.Loss.MSE,
            1,
            TaskConfig.Transform.LOG1P,
            "",
            List.of(),
            0);
    // Labels 0, 9 and 99 as the standardized targets prep writes.
    float[][] labels = {{(float) t.target(0)}, {(float) t.target(9)}, {(float) t.target(99)}};
    TaskAccumulator a = new TaskAccumulator(t);
    // A constant prediction of 99 (ln 100 - ln 10 on the standardized log scale) for every row.
    a.add(
        Nd4j.createFromArray(new float[][] {{(float) ln10}, {(float) ln10}, {(float) ln10}}),
        Nd4j.createFromArray(labels),
        null);
    TaskMetrics m = TaskMetrics.of(a);
    // Errors 99, 90 and 0.
    assertEquals(Math.sqrt((99.0 * 99 + 90 * 90) / 3), m.metrics().get("rmse"), 1e-4);
    assertEquals((99.0 + 90) / 3, m.metrics().get("mae"), 1e-4);
    // Baseline: the training mean on the log scale, turned back, predicts 9: errors 9, 0 and 90.
    assertEquals(Math.sqrt((81.0 + 8100) / 3), m.baseline().get("rmse"), 1e-4);
    assertEquals(33.0, m.baseline().get("mae"), 1e-4);
    assertFalse(m.beatsBaseline());
  }

  @Test
  void anOrdinalTaskCountsItsCumulativeOutputsAndErrsInClasses() {
    // Training: Low 10, Medium 20, High 5, Very_High 1: the median class is Medium.
    TaskEncoding t =
        new TaskEncoding(
            "risk",
            TaskType.ORDINAL,
            "risk",
            1,
            List.of("Low", "Medium", "High", "Very_High"),
            List.of(10L, 20L, 5L, 1L),
            0,
            1,
            36);
    TaskAccumulator a = new TaskAccumulator(t);
    // Labels Low, High, Very_High, Medium; predicted Low, Medium (one class off), Very_High, Low
    // (one off).
    float[][] labels = {{0, 0, 0}, {1, 1, 0}, {1, 1, 1}, {1, 0, 0}};
    float[][] outputs = {
      {0.2f, 0.1f, 0.0f}, {0.9f, 0.4f, 0.1f}, {0.9f, 0.8f, 0.7f}, {0.3f, 0.2f, 0.1f}
    };
    a.add(Nd4j.createFromArray(outputs), Nd4j.createFromArray(labels), null);
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals(0.5, m.metrics().get("accuracy"), 1e-12);
    assertEquals(0.5, m.metrics().get("mae"), 1e-12, "two rows one class off, of four");
    // F1: Low 2*1/(2+1) = 2/3, Medium 0 (predicted once, true once, wrong), High 0, Very_High 1.
    assertEquals((2.0 / 3 + 0 + 0 + 1) / 4, m.metrics().get("macro_f1"), 1e-12);
    // Always Medium: right once; errors 1, 1, 2, 0; F1 of Medium 2*1/(4+1), Low, High, Very_High 0.
    assertEquals(0.25, m.baseline().get("accuracy"), 1e-12);
    assertEquals(1.0, m.baseline().get("mae"), 1e-12);
    assertEquals((2.0 / 5) / 4, m.baseline().get("macro_f1"), 1e-12);
    assertEquals("macro_f1", m.primaryMetric());
    assertEquals(
        List.of(
            List.of(1L, 0L, 0L, 0L),
            List.of(1L, 0L, 0L, 0L),
            List.of(0L, 1L, 0L, 0L),
            List.of(0L, 0L, 0L, 1L)),
        m.confusion());
  }

  @Test
  void theMajorityBaselineUsesTheTrainingMajorityClass() {
    TaskEncoding t =
        new TaskEncoding(
            "m", TaskType.MULTICLASS, "m", 1, List.of("a", "b"), List.of(1L, 9L), 0, 1, 10);
    TaskAccumulator a = new TaskAccumulator(t);
    a.add(
        Nd4j.createFromArray(new float[][] {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.3f, 0.7f}}),
        Nd4j.createFromArray(new float[][] {{1, 0}, {0, 1}, {1, 0}}),
        null);
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals(2.0 / 3, m.metrics().get("accuracy"), 1e-9);
    assertEquals(1.0 / 3, m.baseline().get("accuracy"), 1e-9, "always 'b': right once");
    assertTrue(m.beatsBaseline());
  }

  @Test
  void multiLabelMicroF1AgainstTheMostFrequentLabels() {
    // Training: 10 rows, label a on 8, b on 4, c on 1: 1.3 labels a row, so the baseline predicts
    // {a}.
    TaskEncoding t =
        new TaskEncoding(
            "g",
            TaskType.MULTILABEL,
            "g",
            1,
            List.of("a", "b", "c"),
            List.of(8L, 4L, 1L),
            0,
            1,
            10);
    TaskAccumulator acc = new TaskAccumulator(t);
    org.nd4j.linalg.api.ndarray.INDArray labels =
        org.nd4j.linalg.factory.Nd4j.createFromArray(
            new float[][] {{1, 1, 0}, {1, 0, 0}, {0, 0, 1}, {1, 1, 1}});
    org.nd4j.linalg.api.ndarray.INDArray predictions =
        org.nd4j.linalg.factory.Nd4j.createFromArray(
            new float[][] {
              {0.9f, 0.8f, 0.1f}, {0.7f, 0.6f, 0.2f}, {0.1f, 0.2f, 0.3f}, {0.6f, 0.1f, 0.9f}
            });
    org.nd4j.linalg.api.ndarray.INDArray mask =
        org.nd4j.linalg.factory.Nd4j.createFromArray(new float[][] {{1}, {1}, {1}, {1}});
    acc.add(predictions, labels, mask);
    TaskMetrics m = TaskMetrics.of(acc);
    // Model: TP = 2 + 1 + 0 + 2 = 5, FP = 1 (row 2, b), FN = 1 (row 3, c) + 1 (row 4, b) = 2.
    assertEquals(2.0 * 5 / (2 * 5 + 1 + 2), m.metrics().get("micro_f1"), 1e-9);
    // Baseline {a}: TP = 3, FP = 1 (row 3), FN = 1 + 0 + 1 + 2 = 4.
    assertEquals(2.0 * 3 / (2 * 3 + 1 + 4), m.baseline().get("micro_f1"), 1e-9);
    assertEquals("micro_f1", m.primaryMetric());
    assertTrue(m.beatsBaseline());
  }

  @Test
  void theAblationTableSaysWhatIsLeftOfATaskWithoutAModality() {
    TaskMetrics tags = primaryOnly("entities", TaskType.TOKENS, "entity_f1", 0.9);
    TaskMetrics match = primaryOnly("match", TaskType.RETRIEVAL, "recall_at_10", 0.8);
    Map<String, TaskMetrics> tasks = new LinkedHashMap<>();
    tasks.put("entities", tags);
    tasks.put("match", match);
    Map<String, Map<String, Double>> ablation = new LinkedHashMap<>();
    ablation.put("text", Map.of());
    ablation.put("image", Map.of("entities", 0.45));
    String table =
        EvaluateJob.ablationTable(new EvaluateJob.Report("r", "test", 10, tasks, ablation));
    String[] lines = table.split("\n");
    assertTrue(lines[1].contains("n/a (no tokens)") && lines[1].contains("-50.0%"), table);
    assertTrue(lines[2].contains("n/a (no pairs)"), table);
  }

  @Test
  void metricsJsonKeepsAttentionMapsAndReadsAnEarlierFileWithoutThem(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    var hadoop = new org.apache.hadoop.conf.Configuration();
    Map<String, TaskMetrics> tasks =
        Map.of("answer", primaryOnly("answer", TaskType.MULTICLASS, "accuracy", 0.8));
    AttentionMap map =
        new AttentionMap(
            "is there a seven",
            Map.of("answer", "yes"),
            Map.of("answer", "no"),
            2,
            3,
            new float[] {0, 1, 2, 3, 4, 5},
            1,
            2,
            new float[][] {{0.25f, 0.75f}});
    String withMaps = dir.resolve("with").toString();
    EvaluateJob.writeReport(
        hadoop, withMaps, new EvaluateJob.Report("r", "test", 1, tasks, Map.of(), List.of(map)));
    AttentionMap back = EvaluateJob.readReport(hadoop, withMaps).attention().get(0);
    assertEquals("is there a seven", back.question());
    assertEquals(3, back.width());
    assertEquals(0.75f, back.heads()[0][1]);
    assertEquals(5f, back.image()[5]);
    // A file an earlier version wrote has no attention key.
    java.nio.file.Path file = dir.resolve("with").resolve("metrics.json");
    String json = java.nio.file.Files.readString(file);
    String older = json.substring(0, json.indexOf(",\n  \"attention\"")) + "\n}";
    java.nio.file.Files.createDirectories(dir.resolve("older"));
    java.nio.file.Files.writeString(dir.resolve("older").resolve("metrics.json"), older);
    assertTrue(
        EvaluateJob.readReport(hadoop, dir.resolve("older").toString()).attention().isEmpty());
  }

  private static TaskMetrics primaryOnly(String task, TaskType type, String metric, double value) {
    return new TaskMetrics(
        task, type, 10, metric, Map.of(metric, value), Map.of(metric, value / 2), true, 0.1);
  }
}
