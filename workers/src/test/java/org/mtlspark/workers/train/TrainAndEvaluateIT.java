package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;

/** Generated data, prepared, trained with parameter averaging on local[2], and every task evaluated. */
class TrainAndEvaluateIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig config;
  static ComputationGraph graph;
  static EvaluateJob.Report report;

  @BeforeAll
  static void trainOnGeneratedData() throws IOException {
    spark = SharedSpark.get();
    config = ConfigLoader.load(List.of(), List.of("generate.rows=4000"));
    String data = dir.resolve("data").toString();
    String prep = dir.resolve("prep").toString();
    String run = dir.resolve("run").toString();
    new GenerateJob(spark).run(config, data);
    new PrepJob(spark).run(config, data, prep);
    graph = new TrainJob(spark).run(config, prep, run);
    report = new EvaluateJob(spark).run(run, prep, "test", 2);
    System.out.println(EvaluateJob.table(report));
    System.out.println(EvaluateJob.ablationTable(report));
  }

  @Test
  void everyTaskBeatsItsTrivialBaselineByAClearMargin() {
    TaskMetrics spend = report.tasks().get("spend");
    assertTrue(spend.metrics().get("rmse") < 0.7 * spend.baseline().get("rmse"), spend.toString());
    TaskMetrics tier = report.tasks().get("tier");
    assertTrue(tier.metrics().get("accuracy") > tier.baseline().get("accuracy") + 0.1, tier.toString());
    assertTrue(tier.metrics().get("macro_f1") > tier.baseline().get("macro_f1") + 0.2, tier.toString());
    TaskMetrics churn = report.tasks().get("churn");
    assertTrue(churn.metrics().get("auc") > 0.7, churn.toString());
    assertTrue(report.allBeatBaseline());
  }

  @Test
  void theAblationRemovesEachModalityInTurn() {
    assertEquals(List.of("tabular", "text", "image"), List.copyOf(report.ablation().keySet()));
    double spend = report.tasks().get("spend").metrics().get("rmse");
    // The table sees all three latent factors, the image one of them strongly (see SyntheticRecord):
    // without either, spend is clearly worse.
    assertTrue(report.ablation().get("tabular").get("spend") > 1.3 * spend, report.ablation().toString());
    assertTrue(report.ablation().get("image").get("spend") > 1.1 * spend, report.ablation().toString());
    for (Map.Entry<String, Map<String, Double>> without : report.ablation().entrySet()) {
      boolean changed = report.tasks().values().stream().anyMatch(m ->
          Math.abs(without.getValue().get(m.task()) - m.metrics().get(m.primaryMetric())) > 1e-3);
      assertTrue(changed, "removing " + without.getKey() + " changes no task's metric: " + without.getValue());
    }
  }

  @Test
  void evaluationCountsOnlyLabelledRowsOfEveryTask() {
    for (TaskMetrics m : report.tasks().values()) {
      assertTrue(m.examples() > 0.8 * report.examples() && m.examples() <= report.examples(), m.toString());
    }
  }

  @Test
  void theRunHoldsModelManifestResolvedConfigurationAndMetrics() throws IOException {
    for (String f : List.of("model.zip", "manifest.json", "config.yaml", "training.json", "metrics.json",
        "metrics-history.json", "checkpoints/best-model.zip")) {
      assertTrue(Files.size(dir.resolve("run").resolve(f)) > 0, f);
    }
    MtlConfig saved = ConfigLoader.load(List.of(dir.resolve("run/config.yaml").toString()), List.of());
    assertEquals(config, saved, "the saved configuration reproduces the run's");
    ComputationGraph loaded = EvaluateJob.loadModel(spark.sparkContext().hadoopConfiguration(),
        dir.resolve("run").toString());
    assertEquals(graph.params(), loaded.params());
    assertTrue(loaded.getUpdater().getStateViewArray() != null, "updater state is saved with the model");
  }
}
