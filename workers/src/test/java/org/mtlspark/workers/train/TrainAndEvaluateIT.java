package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.io.JobLabels;
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

  /** The description of every Spark job the run started, in order (null where a job had none). */
  static final List<String> jobDescriptions = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void trainOnGeneratedData() throws Exception {
    spark = SharedSpark.get();
    SparkListener jobs =
        new SparkListener() {
          @Override
          public void onJobStart(SparkListenerJobStart start) {
            jobDescriptions.add(
                start.properties() == null
                    ? null
                    : start.properties().getProperty(JobLabels.DESCRIPTION));
          }
        };
    spark.sparkContext().addSparkListener(jobs);
    config = ConfigLoader.load(List.of(), List.of("generate.rows=4000"));
    String data = dir.resolve("data").toString();
    String prep = dir.resolve("prep").toString();
    String run = dir.resolve("run").toString();
    new GenerateJob(spark).run(config, data);
    new PrepJob(spark).run(config, data, prep);
    graph = new TrainJob(spark).run(config, prep, run);
    report = new EvaluateJob(spark).run(run, prep, "test", 2);
    // Listeners hear of jobs asynchronously: wait for the last job's start, then stop listening.
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!jobDescriptions.contains("evaluate: test split without image")
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    spark.sparkContext().removeSparkListener(jobs);
    System.out.println(EvaluateJob.table(report));
    System.out.println(EvaluateJob.ablationTable(report));
  }

  @Test
  void everyTaskBeatsItsTrivialBaselineByAClearMargin() {
    TaskMetrics spend = report.tasks().get("spend");
    assertTrue(spend.metrics().get("rmse") < 0.7 * spend.baseline().get("rmse"), spend.toString());
    TaskMetrics tier = report.tasks().get("tier");
    assertTrue(
        tier.metrics().get("accuracy") > tier.baseline().get("accuracy") + 0.1, tier.toString());
    assertTrue(
        tier.metrics().get("macro_f1") > tier.baseline().get("macro_f1") + 0.2, tier.toString());
    TaskMetrics churn = report.tasks().get("churn");
    assertTrue(churn.metrics().get("auc") > 0.7, churn.toString());
    assertTrue(report.allBeatBaseline());
  }

  @Test
  void theAblationRemovesEachModalityInTurn() {
    assertEquals(List.of("tabular", "text", "image"), List.copyOf(report.ablation().keySet()));
    double spend = report.tasks().get("spend").metrics().get("rmse");
    // The table sees all three latent factors, the image one of them strongly (see
    // SyntheticRecord):
    // without either, spend is clearly worse.
    assertTrue(
        report.ablation().get("tabular").get("spend") > 1.3 * spend, report.ablation().toString());
    assertTrue(
        report.ablation().get("image").get("spend") > 1.1 * spend, report.ablation().toString());
    for (Map.Entry<String, Map<String, Double>> without : report.ablation().entrySet()) {
      boolean changed =
          report.tasks().values().stream()
              .anyMatch(
                  m ->
                      Math.abs(
                              without.getValue().get(m.task()) - m.metrics().get(m.primaryMetric()))
                          > 1e-3);
      assertTrue(
          changed,
          "removing " + without.getKey() + " changes no task's metric: " + without.getValue());
    }
  }

  @Test
  void evaluationCountsOnlyLabelledRowsOfEveryTask() {
    for (TaskMetrics m : report.tasks().values()) {
      assertTrue(
          m.examples() > 0.8 * report.examples() && m.examples() <= report.examples(),
          m.toString());
    }
  }

  @Test
  void everySparkJobSaysWhichStepItBelongsTo() {
    assertFalse(jobDescriptions.isEmpty());
    assertFalse(jobDescriptions.contains(null), "a job without a description: " + jobDescriptions);
    List<String> steps = new ArrayList<>();
    for (String d : jobDescriptions) {
      String step =
          d.startsWith("generate: ")
              ? "generate"
              : d.matches("train: epoch [0-9]+, round [0-9]+")
                  ? d.replaceAll(", round .*", ", rounds")
                  : d;
      if (!steps.contains(step)) {
        steps.add(step);
      }
    }
    List<String> expected =
        new ArrayList<>(
            List.of(
                "generate",
                "prep: read and align sources",
                "prep: fit featurizers and vocabulary",
                "prep: featurize and write batches"));
    for (int epoch = 1; epoch <= config.train().epochs(); epoch++) {
      expected.add("train: epoch " + epoch + ", rounds");
      expected.add("train: validation after epoch " + epoch);
    }
    expected.addAll(
        List.of(
            "evaluate: test split",
            "evaluate: test split without tabular",
            "evaluate: test split without text",
            "evaluate: test split without image"));
    assertEquals(expected, steps, String.join("\n", jobDescriptions));
    // Every averaging round of the first epoch is one job, numbered from 1.
    List<String> firstEpoch =
        jobDescriptions.stream().filter(d -> d.startsWith("train: epoch 1, round ")).toList();
    assertTrue(firstEpoch.size() >= 2, firstEpoch.toString());
    for (int round = 1; round <= firstEpoch.size(); round++) {
      assertEquals("train: epoch 1, round " + round, firstEpoch.get(round - 1));
    }
  }

  @Test
  void theRunHoldsModelManifestResolvedConfigurationAndMetrics() throws IOException {
    for (String f :
        List.of(
            "model.zip",
            "manifest.json",
            "config.yaml",
            "training.json",
            "metrics.json",
            "metrics-history.json",
            "checkpoints/best-model.zip")) {
      assertTrue(Files.size(dir.resolve("run").resolve(f)) > 0, f);
    }
    MtlConfig saved =
        ConfigLoader.load(List.of(dir.resolve("run/config.yaml").toString()), List.of());
    assertEquals(config, saved, "the saved configuration reproduces the run's");
    ComputationGraph loaded =
        EvaluateJob.loadModel(
            spark.sparkContext().hadoopConfiguration(), dir.resolve("run").toString());
    assertEquals(graph.params(), loaded.params());
    assertTrue(
        loaded.getUpdater().getStateViewArray() != null, "updater state is saved with the model");
  }
}
