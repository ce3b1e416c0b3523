package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * A heavy-tailed income learnt as log1p, a multiclass task with merged rare classes and an ordinal
 * band, prepared, trained, evaluated and scored: scoring predicts in the label's own units and
 * evaluate's RMSE and MAE are those of the scored predictions against the raw labels of the file;
 * the baseline is the training mean of log1p(income), turned back, worked out here from the file.
 */
class LabelUnitsIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static EvaluateJob.Report report;
  static Map<String, Double> incomes = new HashMap<>();
  static Map<String, String> bands = new HashMap<>();
  static List<Double> trainIncomes = new ArrayList<>();
  static Map<String, Row> scored = new HashMap<>();
  static Manifest manifest;

  static final String EXPERIMENT =
      """
      data:
        key: [id, part]
        sources:
          - {name: people, format: csv, path: people.csv, numeric: [x]}
      prep:
        batchSize: 16
        partitions: "2"
        split: {by: part, named: true}
      train:
        epochs: 8
      tasks:
        - {name: income, type: regression, source: people, column: income, transform: log1p}
        - {name: kind, type: multiclass, source: people, column: kind, minClassCount: 5}
        - {name: band, type: ordinal, source: people, column: band, classes: [L, M, H, VH]}
      """;

  @BeforeAll
  static void prepareTrainEvaluateAndScore() throws IOException {
    spark = SharedSpark.get();
    List<String> lines = new ArrayList<>(List.of("id,part,x,income,kind,band"));
    for (int i = 0; i < 300; i++) {
      String part = i % 10 == 0 ? "test" : i % 10 == 1 ? "validation" : "train";
      double x = (i * 37 % 100) / 10.0;
      double income = Math.rint(Math.expm1(0.5 * x + (i % 7) / 10.0) * 100) / 100;
      String kind = i % 50 == 7 ? "rare" + i : i % 30 == 0 ? "unseen" + i : x < 5 ? "low" : "high";
      String band = x < 2.5 ? "l" : x < 5 ? "M" : x < 7.5 ? "h" : "vh";
      lines.add("p" + i + "," + part + "," + x + "," + income + "," + kind + "," + band);
      bands.put("p" + i, band.toUpperCase());
      incomes.put("p" + i, income);
      if (part.equals("train")) {
        trainIncomes.add(income);
      }
    }
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/people.csv"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    MtlConfig config = ConfigLoader.fromYaml(EXPERIMENT, "units.yaml");
    String data = dir.resolve("data").toString();
    String prep = dir.resolve("prep").toString();
    String run = dir.resolve("run").toString();
    manifest = new PrepJob(spark).run(config, data, prep);
    new TrainJob(spark).run(config, prep, run);
    report = new EvaluateJob(spark).run(run, prep, "test", 2);
    new ScoreJob(spark).run(run, data, dir.resolve("scored").toString(), ScoreJob.Format.PARQUET);
    for (Row r :
        spark.read().parquet(dir.resolve("scored/predictions").toString()).collectAsList()) {
      if (r.getString(1).equals("test")) {
        scored.put(r.getString(0), r);
      }
    }
  }

  @Test
  void evaluateReportsTheErrorsOfTheScoredPredictionsInIncomeUnits() {
    assertEquals(30, scored.size());
    double sse = 0;
    double sae = 0;
    for (Map.Entry<String, Row> e : scored.entrySet()) {
      double error = e.getValue().<Double>getAs("income") - incomes.get(e.getKey());
      sse += error * error;
      sae += Math.abs(error);
    }
    TaskMetrics income = report.tasks().get("income");
    assertEquals(30, income.examples());
    assertEquals(
        Math.sqrt(sse / 30), income.metrics().get("rmse"), 1e-4 * income.metrics().get("rmse"));
    assertEquals(sae / 30, income.metrics().get("mae"), 1e-4 * income.metrics().get("mae"));
  }

  @Test
  void theBaselineIsTheTrainingMeanOfLog1pTurnedBack() {
    double meanLog = trainIncomes.stream().mapToDouble(Math::log1p).average().orElseThrow();
    double constant = Math.expm1(meanLog);
    double sse = 0;
    double sae = 0;
    for (String key : scored.keySet()) {
      double error = constant - incomes.get(key);
      sse += error * error;
      sae += Math.abs(error);
    }
    TaskMetrics income = report.tasks().get("income");
    assertEquals(
        Math.sqrt(sse / 30), income.baseline().get("rmse"), 1e-5 * income.baseline().get("rmse"));
    assertEquals(sae / 30, income.baseline().get("mae"), 1e-5 * income.baseline().get("mae"));
  }

  @Test
  void rareKindsAreOneClassForTrainingEvaluationAndScoring() {
    var kind = manifest.featurizers().tasks().get(1);
    assertEquals(List.of("high", "low", "other"), kind.classes());
    // Rows 7, 57, ... 257 (all training rows) have a kind of their own.
    assertEquals(
        List.of("rare107", "rare157", "rare207", "rare257", "rare57", "rare7"),
        kind.mergedClasses());
    assertEquals(6, kind.classCounts().get(2));
    // Test rows 0, 30, ... 270 have kinds never seen in training: evaluated as other.
    TaskMetrics metrics = report.tasks().get("kind");
    assertEquals(List.of("high", "low", "other"), metrics.classes());
    assertEquals(30, metrics.examples());
    assertEquals(10L, metrics.confusion().get(2).stream().mapToLong(Long::longValue).sum());
    Set<String> predicted = new HashSet<>();
    scored.values().forEach(r -> predicted.add(r.getAs("kind")));
    assertTrue(List.of("high", "low", "other").containsAll(predicted), predicted.toString());
  }

  @Test
  void anOrdinalTaskScoresAsEvaluateCountsItAndLearnsTheOrder() {
    TaskMetrics band = report.tasks().get("band");
    assertEquals(List.of("L", "M", "H", "VH"), band.classes());
    List<String> classes = band.classes();
    long right = 0;
    long error = 0;
    for (Map.Entry<String, Row> e : scored.entrySet()) {
      int predicted = classes.indexOf(e.getValue().<String>getAs("band"));
      int actual = classes.indexOf(bands.get(e.getKey()));
      right += predicted == actual ? 1 : 0;
      error += Math.abs(predicted - actual);
    }
    assertEquals(right / 30.0, band.metrics().get("accuracy"), 1e-12);
    assertEquals(error / 30.0, band.metrics().get("mae"), 1e-12);
    assertTrue(band.metrics().get("mae") < band.baseline().get("mae"), band.toString());
  }
}
