package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.testing.TrainConfigs;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The distributed arithmetic against a local computation: with plain SGD, two workers that each
 * fit one batch and then average their parameters take exactly one step on the mean gradient,
 * which is one step of a single graph on the two batches concatenated.
 */
class ParameterAveragingOracleIT {
  @TempDir Path dir;

  /**
   * Every engine, with the default network and with attention fusion and soft sharing (whose tower
   * pull must reach the workers: the local step includes it), each also with the ids input (whose
   * embedding table is averaged like any parameter); and with the wide part (heads that read the
   * tabular input and the text's mean embedding); and with experts mixed by a gate per task, and
   * with levels of task and shared experts under task layers of their own; and with the text
   * attending over the image's cells (spatial fusion).
   */
  static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> enginesAndNetworks() {
    List<String> plain = List.of("model.l2=0", "model.dropout=0");
    List<String> soft =
        List.of(
            "model.l2=0",
            "model.dropout=0",
            "model.fusion=attention",
            "model.sharing=soft",
            "model.softSharingMu=0.5");
    List<String> wide = List.of("model.l2=0", "model.dropout=0", "model.wide=true");
    List<String> mmoe =
        List.of("model.l2=0", "model.dropout=0", "model.sharing=mmoe", "model.experts=3");
    // Two levels of progressive extraction, each task's own layer above them, no shared trunk
    // layer but the experts.
    List<String> ple =
        List.of(
            "model.l2=0",
            "model.dropout=0",
            "model.sharing=ple",
            "model.experts=2",
            "model.taskExperts=1",
            "model.taskHidden=[5]");
    // The text attending over the image's cells beside the concatenated encoders.
    List<String> spatial = List.of("model.l2=0", "model.dropout=0", "model.fusion=spatial");
    return java.util.Arrays.stream(TrainConfig.Engine.values())
        .flatMap(
            e ->
                java.util.stream.Stream.of(
                    org.junit.jupiter.params.provider.Arguments.of(e, plain, false),
                    org.junit.jupiter.params.provider.Arguments.of(e, soft, false),
                    org.junit.jupiter.params.provider.Arguments.of(e, plain, true),
                    org.junit.jupiter.params.provider.Arguments.of(e, soft, true),
                    org.junit.jupiter.params.provider.Arguments.of(e, wide, false),
                    org.junit.jupiter.params.provider.Arguments.of(e, mmoe, false),
                    org.junit.jupiter.params.provider.Arguments.of(e, ple, false),
                    org.junit.jupiter.params.provider.Arguments.of(e, spatial, false)));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.MethodSource("enginesAndNetworks")
  void oneAveragingRoundEqualsOneStepOnTheConcatenatedBatches(
      TrainConfig.Engine engine, List<String> network, boolean ids) throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), network);
    // One step of plain SGD per worker, then averaging; the rest as shipped (static task weights,
    // no
    // modality dropout).
    TrainConfig sgd = oneSgdRound(engine, 2);
    FeaturizerState state = ids ? TestBatches.stateWithIds() : TestBatches.state();
    int batch = 8;
    List<Example> a = TestBatches.examples(state, batch, 11, true);
    List<Example> b = TestBatches.examples(state, batch, 12, true);
    List<String> paths = pack(List.of(a, b), "ab" + BatchPack.EXTENSION);

    ComputationGraph initial = GraphBuilder.build(state, config.model(), sgd, 3);
    INDArray start = initial.params().dup();

    ComputationGraph local = initial.clone();
    List<Example> both = new ArrayList<>(a);
    both.addAll(b);
    local.fit(BatchBuilder.build(both));

    ComputationGraph distributed =
        TrainJob.trainer(
                JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()), sgd, batch, 3)
            .fit(initial.clone(), paths, null);

    double moved = local.params().sub(start).norm2Number().doubleValue();
    assertTrue(moved > 1e-3, "the step is not trivially zero: " + moved);
    if (ids) {
      INDArray table = local.getLayer(GraphBuilder.ID_EMBEDDING).getParam("W");
      INDArray before = initial.getLayer(GraphBuilder.ID_EMBEDDING).getParam("W");
      assertTrue(
          table.sub(before).amaxNumber().doubleValue() > 1e-4, "the id embeddings moved too");
      assertEquals(
          0.0,
          table
              .sub(distributed.getLayer(GraphBuilder.ID_EMBEDDING).getParam("W"))
              .amaxNumber()
              .doubleValue(),
          1e-5,
          "the averaged embedding table");
    }
    double diff = local.params().sub(distributed.params()).amaxNumber().doubleValue();
    assertEquals(0.0, diff, 1e-5, "max |local - averaged| parameter difference");
  }

  /**
   * A token task beside the record tasks, over the bidirectional LSTM (and the convolution): one
   * averaging round of two workers equals one local step on both batches, the per-position masks
   * of the packed batches included.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"bilstm", "conv"})
  void aTokenTaskAveragesLikeAnyOther(String encoder) throws IOException {
    MtlConfig config =
        ConfigLoader.load(
            List.of(), List.of("model.l2=0", "model.dropout=0", "model.textEncoder=" + encoder));
    FeaturizerState state = TestBatches.stateWithTokens();
    assertOneRoundOfTwoEqualsOneStepOnBoth(
        state,
        config,
        TestBatches.tokenExamples(state, 8, 31, true),
        TestBatches.tokenExamples(state, 8, 32, true),
        "tags",
        "tokens-" + encoder);
  }

  /**
   * One averaging round of two workers, each on one of {@code a} and {@code b} (8 examples each,
   * packed as prep packs them), equals one local step on both, and task {@code task}'s head moved.
   */
  private void assertOneRoundOfTwoEqualsOneStepOnBoth(
      FeaturizerState state,
      MtlConfig config,
      List<Example> a,
      List<Example> b,
      String task,
      String what)
      throws IOException {
    TrainConfig sgd = oneSgdRound(TrainConfig.Engine.RESIDENT, 2);
    boolean[] perToken = BatchBuilder.perToken(state.tasks());
    List<String> paths = pack(List.of(a, b), what + BatchPack.EXTENSION, perToken);
    ComputationGraph initial = GraphBuilder.build(state, config.model(), sgd, 3);
    ComputationGraph local = initial.clone();
    List<Example> both = new ArrayList<>(a);
    both.addAll(b);
    local.fit(BatchBuilder.build(both, perToken));
    ComputationGraph distributed =
        TrainJob.trainer(
                JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()),
                sgd,
                a.size(),
                3)
            .fit(initial.clone(), paths, null);
    String head = GraphBuilder.outputName(task);
    INDArray before = initial.getLayer(head).getParam("W");
    assertTrue(
        local.getLayer(head).getParam("W").sub(before).amaxNumber().doubleValue() > 1e-4,
        "the head of " + task + " moved");
    double diff = local.params().sub(distributed.params()).amaxNumber().doubleValue();
    assertEquals(0.0, diff, 1e-5, "max |local - averaged| parameter difference (" + what + ")");
  }

  /**
   * A caption task beside the record tasks, its decoder attending over the image's cells or not:
   * one averaging round of two workers equals one local step on both batches (the caption's
   * per-position masks included).
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 2})
  void aCaptionTaskAveragesLikeAnyOther(int heads) throws IOException {
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.l2=0",
                "model.dropout=0",
                "model.fusionDim=8",
                "model.captionHeads=" + heads));
    FeaturizerState state = TestBatches.stateWithCaption();
    assertOneRoundOfTwoEqualsOneStepOnBoth(
        state,
        config,
        TestBatches.captionExamples(state, 8, 41, true),
        TestBatches.captionExamples(state, 8, 42, true),
        "caption",
        "caption-" + heads);
  }

  /**
   * Each record task's own attention over the image's cells: one averaging round of two workers
   * equals one local step on both batches.
   */
  @Test
  void eachTasksAttentionAveragesLikeAnyOtherLayer() throws IOException {
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.l2=0",
                "model.dropout=0",
                "model.fusionDim=8",
                "model.taskAttentionHeads=2"));
    FeaturizerState state = TestBatches.state();
    assertOneRoundOfTwoEqualsOneStepOnBoth(
        state,
        config,
        TestBatches.examples(state, 8, 51, true),
        TestBatches.examples(state, 8, 52, true),
        state.tasks().get(1).name(),
        "task-attention");
  }

  /**
   * A retrieval task beside the record tasks: its in-batch loss takes its negatives from the
   * worker's own batch, so one averaging round of two workers equals the mean of one local step on
   * each batch alone, and not one step on the two batches concatenated (whose pairs would be
   * negatives of each other).
   */
  @Test
  void aRetrievalTaskAveragesItsWorkersOwnBatchesNegatives() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.l2=0", "model.dropout=0"));
    TrainConfig sgd = oneSgdRound(TrainConfig.Engine.RESIDENT, 2);
    FeaturizerState state = TestBatches.stateWithRetrieval();
    int batch = 8;
    List<Example> a = TestBatches.retrievalExamples(state, batch, 41, true);
    List<Example> b = TestBatches.retrievalExamples(state, batch, 42, true);
    List<String> paths = pack(List.of(a, b), "retrieval" + BatchPack.EXTENSION);

    ComputationGraph initial = GraphBuilder.build(state, config.model(), sgd, 3);
    ComputationGraph onA = initial.clone();
    onA.fit(BatchBuilder.build(a));
    ComputationGraph onB = initial.clone();
    onB.fit(BatchBuilder.build(b));
    INDArray ownNegatives = onA.params().add(onB.params()).divi(2);
    ComputationGraph concatenated = initial.clone();
    List<Example> both = new ArrayList<>(a);
    both.addAll(b);
    concatenated.fit(BatchBuilder.build(both));
    ComputationGraph distributed =
        TrainJob.trainer(
                JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()), sgd, batch, 3)
            .fit(initial.clone(), paths, null);

    String projection = GraphBuilder.projectionName("match", "image");
    assertTrue(
        onA.getLayer(projection)
                .getParam("W")
                .sub(initial.getLayer(projection).getParam("W"))
                .amaxNumber()
                .doubleValue()
            > 1e-4,
        "the image projection moved");
    assertEquals(
        0.0,
        ownNegatives.sub(distributed.params()).amaxNumber().doubleValue(),
        1e-5,
        "max |mean of the two local steps - averaged| parameter difference");
    assertTrue(
        concatenated.params().sub(distributed.params()).amaxNumber().doubleValue() > 1e-4,
        "negatives from the other worker's batch would have given another step");
  }

  /**
   * Four workers, whose results the executors sum in a tree and hand the driver as one sum: one
   * round equals one local step on the four batches concatenated.
   */
  @Test
  void fourWorkersSummedOnTheExecutorsEqualOneStepOnTheConcatenatedBatches() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.l2=0", "model.dropout=0"));
    TrainConfig sgd = oneSgdRound(TrainConfig.Engine.RESIDENT, 4);
    FeaturizerState state = TestBatches.state();
    int batch = 8;
    List<List<Example>> shares = new ArrayList<>();
    List<Example> all = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      shares.add(TestBatches.examples(state, batch, 21 + w, true));
      all.addAll(shares.get(w));
    }
    List<String> paths = pack(shares, "abcd" + BatchPack.EXTENSION);
    assertEquals(4, paths.size(), "one batch per worker");

    ComputationGraph initial = GraphBuilder.build(state, config.model(), sgd, 3);
    ComputationGraph local = initial.clone();
    local.fit(BatchBuilder.build(all));
    ComputationGraph distributed =
        TrainJob.trainer(
                JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()), sgd, batch, 3)
            .fit(initial.clone(), paths, null);

    assertTrue(local.params().sub(initial.params()).norm2Number().doubleValue() > 1e-3);
    double diff = local.params().sub(distributed.params()).amaxNumber().doubleValue();
    assertEquals(0.0, diff, 1e-5, "max |local - averaged| parameter difference, four workers");
  }

  /**
   * A learning-rate schedule counts each worker's steps: two epochs of one averaging round each,
   * the second at a tenth of the rate, equal two local steps on the concatenated batches under
   * the same schedule (and differ from a constant rate).
   */
  @Test
  void aScheduledRateFollowsTheWorkersSteps() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    TrainConfig stepped =
        TrainConfigs.defaults()
            .engine(TrainConfig.Engine.RESIDENT)
            .epochs(2)
            .updater(TrainConfig.Updater.SGD)
            .learningRate(0.1)
            .schedule(new TrainConfig.Schedule(TrainConfig.ScheduleKind.STEP, 0, 1, 0.1, 0))
            .workers(2)
            .averagingFrequency(1)
            .build();
    FeaturizerState state = TestBatches.state();
    int batch = 8;
    List<Example> a = TestBatches.examples(state, batch, 21, true);
    List<Example> b = TestBatches.examples(state, batch, 22, true);
    List<String> paths = pack(List.of(a, b), "stepped" + BatchPack.EXTENSION);
    List<Example> both = new ArrayList<>(a);
    both.addAll(b);
    // Two batches over two workers: one step per worker and epoch.
    ComputationGraph initial = GraphBuilder.build(state, config.model(), stepped, 3, 1);

    ComputationGraph local = initial.clone();
    local.fit(BatchBuilder.build(both));
    local.fit(BatchBuilder.build(both));
    ComputationGraph constant =
        GraphBuilder.build(
            state,
            config.model(),
            TrainConfigs.from(stepped).schedule(TrainConfig.Schedule.CONSTANT).build(),
            3);
    constant.setParams(initial.params().dup());
    constant.fit(BatchBuilder.build(both));
    constant.fit(BatchBuilder.build(both));
    double scheduleEffect = local.params().sub(constant.params()).amaxNumber().doubleValue();
    assertTrue(scheduleEffect > 1e-3, "the schedule changes the second step: " + scheduleEffect);

    ComputationGraph distributed =
        TrainJob.trainer(
                JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext()),
                stepped,
                batch,
                3)
            .fit(initial.clone(), paths, null);
    double diff = local.params().sub(distributed.params()).amaxNumber().doubleValue();
    assertEquals(0.0, diff, 1e-5, "max |local - averaged| parameter difference");
  }

  /** The batches in one pack, as prep writes them; returns their references. */
  /** One epoch of plain SGD (rate 0.1) in which every worker fits one batch, then averages. */
  private static TrainConfig oneSgdRound(TrainConfig.Engine engine, int workers) {
    return TrainConfigs.defaults()
        .engine(engine)
        .epochs(1)
        .updater(TrainConfig.Updater.SGD)
        .learningRate(0.1)
        .workers(workers)
        .averagingFrequency(1)
        .build();
  }

  private List<String> pack(List<List<Example>> batches, String name) throws IOException {
    return pack(batches, name, new boolean[batches.get(0).get(0).labels().length]);
  }

  private List<String> pack(List<List<Example>> batches, String name, boolean[] perToken)
      throws IOException {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(dir.resolve(name).toUri());
    try (BatchPack pack = new BatchPack(path.getFileSystem(conf), path)) {
      for (List<Example> examples : batches) {
        pack.add(BatchBuilder.arrays(examples, perToken));
      }
    }
    return BatchFiles.references(conf, path.toString());
  }

  private String save(MultiDataSet mds, String name) throws IOException {
    Path p = dir.resolve(name);
    try (OutputStream out = new FileOutputStream(p.toFile())) {
      mds.save(out);
    }
    return p.toUri().toString();
  }

  @Test
  void residentWorkersGiveTheSameResultWhenEveryRoundStartsOnAFreshExecutor() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    FeaturizerState state = TestBatches.state();
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      paths.add(
          save(
              BatchBuilder.build(TestBatches.examples(state, 8, 100 + i, true)), "r" + i + ".mds"));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    ComputationGraph initial = GraphBuilder.build(state, config.model(), config.train(), 5);
    // 2 workers, 6 batches each, averaging every 2: 3 rounds per epoch, 2 epochs, Adam.
    ComputationGraph cached =
        new ResidentAveragingTrainer(jsc, 2, 2, 2, 9).fit(initial.clone(), paths, null);
    ComputationGraph fresh =
        new ResidentAveragingTrainer(
                jsc,
                2,
                2,
                2,
                9,
                ModalityDropout.none(null),
                ResidentAveragingTrainer.Residency.RELOAD_EVERY_ROUND)
            .fit(initial.clone(), paths, null);
    assertTrue(
        cached.params().sub(initial.params()).norm2Number().doubleValue() > 1e-3, "training moved");
    assertEquals(
        0.0,
        cached.params().sub(fresh.params()).amaxNumber().doubleValue(),
        1e-6,
        "a lost executor cache (retry, restarted executor) does not change the arithmetic");
    assertEquals(
        0.0,
        cached
            .getUpdater()
            .getStateViewArray()
            .sub(fresh.getUpdater().getStateViewArray())
            .amaxNumber()
            .doubleValue(),
        1e-6,
        "and the averaged Adam state is the same");
  }
}
