package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
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
import org.mtlspark.workers.model.TaskLossWeights;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Checkpoints and resume, early stopping with the best model kept, and the divergence guard. */
class TrainingControlIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Configuration hadoop;
  static String prep;

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    hadoop = spark.sparkContext().hadoopConfiguration();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("generate.rows=1500"));
    new GenerateJob(spark).run(config, dir.resolve("data").toString());
    prep = dir.resolve("prep").toString();
    new PrepJob(spark).run(config, dir.resolve("data").toString(), prep);
  }

  private static MtlConfig config(String... overrides) {
    return ConfigLoader.load(List.of(), List.of(overrides));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"static", "uncertainty"})
  void anInterruptedRunResumesFromItsLastCheckpointAndEndsLikeAnUninterruptedOne(String weighting)
      throws IOException {
    String weights = "train.taskWeighting=" + weighting;
    String whole = dir.resolve("whole-" + weighting).toString();
    ComputationGraph uninterrupted =
        new TrainJob(spark).run(config("train.epochs=4", weights), prep, whole);

    // A run that stopped after epoch 2 leaves its checkpoints, configuration and history, no model.
    String broken = dir.resolve("broken-" + weighting).toString();
    new TrainJob(spark).run(config("train.epochs=2", weights), prep, broken);
    Files.delete(Path.of(broken, RunFolder.MODEL_FILE));
    Files.delete(Path.of(broken, RunFolder.TRAINING_FILE));
    ComputationGraph resumed =
        new TrainJob(spark).run(config("train.epochs=4", weights), prep, broken);

    JsonNode log = new ObjectMapper().readTree(Path.of(broken, RunFolder.TRAINING_FILE).toFile());
    assertEquals(2, log.get("resumedFromEpoch").asInt());
    assertEquals(4, log.get("epochs").size(), "the history holds all four epochs");
    // With learned log-variances the checkpoint carries them: a resumed run that started them
    // afresh at 0 would take other steps from epoch 3 on.
    assertEquals(
        0.0,
        uninterrupted.params().sub(resumed.params()).amaxNumber().doubleValue(),
        1e-5,
        "resuming at an epoch boundary continues the same arithmetic");
    if (weighting.equals("uncertainty")) {
      JsonNode a =
          new ObjectMapper().readTree(Path.of(whole, RunFolder.HISTORY_FILE).toFile()).get(3);
      JsonNode b =
          new ObjectMapper().readTree(Path.of(broken, RunFolder.HISTORY_FILE).toFile()).get(3);
      assertEquals(
          a.get("learnedTaskWeights").get("spend").asDouble(),
          b.get("learnedTaskWeights").get("spend").asDouble(),
          1e-9,
          "the learned weights continue where they were");
    }
  }

  @Test
  void dynamicTaskWeightsMoveBetweenEpochsAndTheirTrajectoryIsKept() throws IOException {
    String run = dir.resolve("dwa").toString();
    ComputationGraph model =
        new TrainJob(spark).run(config("train.epochs=3", "train.taskWeighting=dwa"), prep, run);
    JsonNode history = new ObjectMapper().readTree(Path.of(run, RunFolder.HISTORY_FILE).toFile());
    assertEquals(3, history.size());
    for (int e = 0; e < 3; e++) {
      JsonNode losses = history.get(e).get("taskLosses");
      for (String task : List.of("spend", "tier", "churn")) {
        assertTrue(
            losses.get(task).asDouble() > 0, "epoch " + (e + 1) + " measured the loss of " + task);
      }
    }
    for (int e = 0; e < 2; e++) {
      for (String task : List.of("spend", "tier", "churn")) {
        assertEquals(
            1.0,
            history.get(e).get("taskWeights").get(task).asDouble(),
            1e-6,
            "DWA starts with equal weights (epoch " + (e + 1) + ")");
      }
    }
    JsonNode third = history.get(2).get("taskWeights");
    double sum =
        third.get("spend").asDouble()
            + third.get("tier").asDouble()
            + third.get("churn").asDouble();
    assertEquals(3.0, sum, 1e-5);
    assertTrue(Math.abs(third.get("spend").asDouble() - 1) > 1e-4, "the weights moved: " + third);
    // The final model is the best epoch's, with the weights it was trained with.
    int best =
        new ObjectMapper()
            .readTree(Path.of(run, RunFolder.TRAINING_FILE).toFile())
            .get("bestEpoch")
            .asInt();
    JsonNode used = history.get(best - 1).get("taskWeights");
    assertEquals(used.get("spend").asDouble(), TaskLossWeights.read(model)[0], 1e-5);
  }

  @Test
  void perStepBalancingActsInsideTheWorkersAndKeepsItsLearnedWeights() throws IOException {
    List<String> tasks = List.of("spend", "tier", "churn");
    // Learned log-variances: the weights exp(-s) move from 1 at every step, each task its own way.
    String uncertain = dir.resolve("uncertainty").toString();
    new TrainJob(spark)
        .run(config("train.epochs=2", "train.taskWeighting=uncertainty"), prep, uncertain);
    JsonNode history =
        new ObjectMapper().readTree(Path.of(uncertain, RunFolder.HISTORY_FILE).toFile());
    double[] learned = new double[3];
    for (int e = 0; e < 2; e++) {
      JsonNode w = history.get(e).get("learnedTaskWeights");
      for (int t = 0; t < 3; t++) {
        learned[t] = w.get(tasks.get(t)).asDouble();
        assertTrue(learned[t] > 0 && Math.abs(learned[t] - 1) > 1e-3, "epoch " + e + ": " + w);
      }
      assertEquals(
          1.0, history.get(e).get("taskWeights").get("spend").asDouble(), 1e-9, "configured");
    }
    assertTrue(
        Math.abs(learned[0] - learned[1]) > 1e-3 || Math.abs(learned[1] - learned[2]) > 1e-3,
        "each task learns its own weight");

    // GradNorm's weights move from 1.
    String gradnorm = dir.resolve("gradnorm").toString();
    new TrainJob(spark)
        .run(config("train.epochs=1", "train.taskWeighting=gradnorm"), prep, gradnorm);
    JsonNode g =
        new ObjectMapper()
            .readTree(Path.of(gradnorm, RunFolder.HISTORY_FILE).toFile())
            .get(0)
            .get("learnedTaskWeights");
    assertTrue(Math.abs(g.get("spend").asDouble() - 1) > 1e-3, "the weights moved: " + g);

    // MGDA changes the steps themselves (its least-norm combination is not the plain sum unless
    // the tasks' gradients agree exactly): the same seed ends elsewhere than plain sums.
    ComputationGraph plain =
        new TrainJob(spark).run(config("train.epochs=1"), prep, dir.resolve("plain").toString());
    ComputationGraph balanced =
        new TrainJob(spark)
            .run(
                config("train.epochs=1", "train.taskWeighting=mgda"),
                prep,
                dir.resolve("mgda").toString());
    double diff = plain.params().sub(balanced.params()).amaxNumber().doubleValue();
    assertTrue(diff > 1e-3 && Double.isFinite(diff), "mgda moved the model by " + diff);

    // MGDA-UB, with task layers of its own and the wide part merged under each head: trains on
    // Spark, ends elsewhere than both, and leaves the heads with their configured weights.
    ComputationGraph upperBound =
        new TrainJob(spark)
            .run(
                config(
                    "train.epochs=1",
                    "train.taskWeighting=mgda_ub",
                    "model.taskHidden=[8]",
                    "model.wide=true"),
                prep,
                dir.resolve("mgda_ub").toString());
    ComputationGraph plainLayers =
        new TrainJob(spark)
            .run(
                config("train.epochs=1", "model.taskHidden=[8]", "model.wide=true"),
                prep,
                dir.resolve("plain_layers").toString());
    double ub = plainLayers.params().sub(upperBound.params()).amaxNumber().doubleValue();
    assertTrue(ub > 1e-3 && Double.isFinite(ub), "mgda_ub moved the model by " + ub);
    assertArrayEquals(TaskLossWeights.read(plainLayers), TaskLossWeights.read(upperBound), 1e-12);
    // The moving average of its weights is kept per epoch: moved from 1, summing to the tasks.
    JsonNode u =
        new ObjectMapper()
            .readTree(Path.of(dir.resolve("mgda_ub").toString(), RunFolder.HISTORY_FILE).toFile())
            .get(0)
            .get("learnedTaskWeights");
    double sum = 0;
    double moved = 0;
    for (JsonNode w : u) {
      sum += w.asDouble();
      moved = Math.max(moved, Math.abs(w.asDouble() - 1));
    }
    assertEquals(3, sum, 0.05, u.toString());
    assertTrue(moved > 1e-3, "the weights moved: " + u);
  }

  @Test
  void pleWithGradientBalancingTrainsOnSparkAndItsGatesLearn() throws IOException {
    String run = dir.resolve("ple").toString();
    ComputationGraph trained =
        new TrainJob(spark)
            .run(
                config(
                    "train.epochs=2",
                    "model.sharing=ple",
                    "model.trunk=[16, 8]",
                    "model.experts=2",
                    "model.taskHidden=[8]",
                    "train.taskWeighting=pcgrad"),
                prep,
                run);
    ComputationGraph saved = ModelFiles.read(hadoop, run + "/" + RunFolder.MODEL_FILE);
    assertEquals(trained.params(), saved.params(), "the model written is the one trained");
    org.mtlspark.prep.manifest.Manifest manifest =
        org.mtlspark.prep.manifest.Manifest.read(hadoop, prep);
    var batches =
        org.mtlspark.prep.feature.BatchFiles.readAll(
            hadoop, manifest.batches(hadoop, prep, "validation"));
    java.util.Map<String, double[][]> gates =
        org.mtlspark.workers.model.ExpertGates.mean(saved, batches);
    assertEquals(List.of("extraction0", "extraction1"), List.copyOf(gates.keySet()));
    double[][] top = gates.get("extraction1");
    assertEquals(3, top.length, "one gate per task on the last level");
    // The same network before training, from the seed the run used: training moved the gates.
    ComputationGraph untrained = new ComputationGraph(saved.getConfiguration().clone());
    untrained.init();
    double[][] before =
        org.mtlspark.workers.model.ExpertGates.mean(untrained, batches).get("extraction1");
    double moved = 0;
    for (int t = 0; t < top.length; t++) {
      assertEquals(3, top[t].length, "its own expert and the two shared ones");
      assertEquals(1.0, java.util.Arrays.stream(top[t]).sum(), 1e-5);
      for (int j = 0; j < 3; j++) {
        moved = Math.max(moved, Math.abs(top[t][j] - before[t][j]));
      }
    }
    assertTrue(moved > 0.02, "training moved the gates by " + moved);
  }

  @Test
  void aCompleteRunOrAnotherConfigurationIsNotResumed() throws IOException {
    String run = dir.resolve("complete").toString();
    new TrainJob(spark).run(config("train.epochs=1"), prep, run);
    TrainJob.RunCompleteException done =
        assertThrows(
            TrainJob.RunCompleteException.class,
            () -> new TrainJob(spark).run(config("train.epochs=1"), prep, run));
    assertTrue(done.getMessage().contains("already complete"));
    Files.delete(Path.of(run, RunFolder.MODEL_FILE));
    TrainJob.RunCompleteException other =
        assertThrows(
            TrainJob.RunCompleteException.class,
            () ->
                new TrainJob(spark)
                    .run(config("train.epochs=2", "train.learningRate=0.01"), prep, run));
    assertTrue(other.getMessage().contains("another configuration"), other.getMessage());
  }

  @Test
  void theFinalModelIsTheBestValidationEpochAndEarlyStoppingHonoursPatience() throws IOException {
    String run = dir.resolve("early").toString();
    ComputationGraph finalModel =
        new TrainJob(spark)
            .run(
                config("train.epochs=8", "train.patience=1", "train.learningRate=0.05"), prep, run);
    JsonNode log = new ObjectMapper().readTree(Path.of(run, RunFolder.TRAINING_FILE).toFile());
    int best = log.get("bestEpoch").asInt();
    int ran = log.get("epochs").size();
    double bestObjective = log.get("bestObjective").asDouble();
    for (JsonNode e : log.get("epochs")) {
      assertTrue(e.get("validationObjective").asDouble() <= bestObjective + 1e-12);
      assertEquals(3, e.get("validation").size(), "every task is evaluated every epoch");
    }
    assertEquals(
        bestObjective,
        log.get("epochs").get(best - 1).get("validationObjective").asDouble(),
        1e-12);
    if (log.get("stoppedEarly").asBoolean()) {
      assertEquals(best + 1, ran, "stopped one epoch (patience 1) after the best");
    } else {
      assertEquals(8, ran);
    }
    ComputationGraph saved = ModelFiles.read(hadoop, run + "/" + RunFolder.MODEL_FILE);
    ComputationGraph bestFile = ModelFiles.read(hadoop, run + "/checkpoints/best-model.zip");
    assertEquals(finalModel.params(), saved.params());
    assertEquals(bestFile.params(), saved.params(), "the final model is the best validation epoch");
    assertTrue(Files.size(Path.of(run, RunFolder.HISTORY_FILE)) > 0);
  }

  @Test
  void aDivergingRunStopsWithAClearErrorAndLeavesNoModel() throws IOException {
    String run = dir.resolve("diverged").toString();
    TrainingDivergedException e =
        assertThrows(
            TrainingDivergedException.class,
            () ->
                new TrainJob(spark)
                    .run(
                        config("train.updater=sgd", "train.learningRate=9.9", "train.epochs=3"),
                        prep,
                        run));
    assertTrue(e.getMessage().contains("training diverged in epoch"), e.getMessage());
    assertFalse(Files.exists(Path.of(run, RunFolder.MODEL_FILE)));
    try (Stream<Path> cps = Files.list(Path.of(run, "checkpoints"))) {
      // Only checkpoints of epochs before the diverging one, each complete.
      for (Path cp : cps.filter(p -> p.getFileName().toString().startsWith("epoch-")).toList()) {
        int n = Integer.parseInt(cp.getFileName().toString().substring(6));
        assertTrue(n <= e.epoch(), cp + " comes after the diverging epoch " + (e.epoch() + 1));
        assertTrue(Files.exists(cp.resolve("model.zip")) && Files.exists(cp.resolve("state.json")));
      }
    } catch (java.nio.file.NoSuchFileException none) {
      assertEquals(0, e.epoch(), "no checkpoint folder only when the first epoch diverged");
    }
  }
}
