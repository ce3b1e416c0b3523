package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.ModelConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.workers.TestBatches;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class GraphBuilderTest {
  static final MtlConfig CONFIG = ConfigLoader.load(List.of(), List.of());

  static FeaturizerState state() {
    return TestBatches.state();
  }

  static MultiDataSet batch(FeaturizerState s, int n, long seed) {
    return BatchBuilder.build(TestBatches.examples(s, n, seed, true));
  }

  /** {@code s} with other modalities and tasks, the featurizers as they are. */
  static FeaturizerState withModalitiesAndTasks(
      FeaturizerState s, List<String> modalities, List<TaskEncoding> tasks) {
    return TestBatches.withModalitiesAndTasks(s, modalities, tasks);
  }

  /**
   * A small double-precision graph for a gradient check: a 3-unit table encoder, tanh, no L2,
   * plain SGD, and {@code settings} on top.
   */
  static ComputationGraph checkedGraph(FeaturizerState s, String... settings) {
    List<String> all =
        new java.util.ArrayList<>(
            List.of(
                "model.tabularHidden=[3]",
                "model.activation=tanh",
                "model.l2=0",
                "train.updater=sgd",
                "train.learningRate=1.0"));
    all.addAll(List.of(settings));
    MtlConfig config = ConfigLoader.load(List.of(), all);
    return GraphBuilder.build(s, config.model(), config.train(), 7)
        .convertDataType(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
  }

  /** Fits {@code g} 30 times on {@code b} and asserts its score fell below {@code factor} of before. */
  static void assertThirtyStepsLowerTheScore(
      ComputationGraph g, MultiDataSet b, double factor, String what) {
    double before = g.score(b);
    for (int i = 0; i < 30; i++) {
      g.fit(b);
    }
    assertTrue(g.score(b) < factor * before, what + "score " + before + " -> " + g.score(b));
  }

  /** The arrays in double precision (null stays null). */
  static INDArray[] doubles(INDArray[] arrays) {
    INDArray[] out = new INDArray[arrays.length];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          arrays[i] == null ? null : arrays[i].castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    }
    return out;
  }

  /** DL4J's gradient check of {@code g} on batch {@code b}, masks included, in double precision. */
  static boolean gradientsPass(ComputationGraph g, MultiDataSet b) {
    return GradientChecks.passes(
        new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig()
            .net(g)
            .inputs(doubles(b.getFeatures()))
            .inputMask(doubles(b.getFeaturesMaskArrays()))
            .labels(doubles(b.getLabels()))
            .labelMask(doubles(b.getLabelsMaskArrays())));
  }

  /** The graph written as a model file (with its updater) and read back. */
  static ComputationGraph saveAndLoad(ComputationGraph g) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    org.deeplearning4j.util.ModelSerializer.writeModel(g, bytes, true);
    return org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(
        new java.io.ByteArrayInputStream(bytes.toByteArray()), true);
  }

  @Test
  void outputsFollowTheTasksInOrderWithTheirWidthsAndActivations() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    MultiDataSet mds = batch(s, 6, 2);
    g.setLayerMaskArrays(mds.getFeaturesMaskArrays(), null);
    INDArray[] out = g.output(false, mds.getFeatures(), mds.getFeaturesMaskArrays());
    assertEquals(3, out.length);
    assertArrayEquals(new long[] {6, 1}, out[0].shape());
    assertArrayEquals(new long[] {6, 4}, out[1].shape());
    assertArrayEquals(new long[] {6, 1}, out[2].shape());
    INDArray rowSums = out[1].sum(1);
    for (int i = 0; i < 6; i++) {
      assertEquals(1.0, rowSums.getDouble(i), 1e-5, "softmax rows sum to one");
      assertTrue(out[2].getDouble(i) > 0 && out[2].getDouble(i) < 1, "sigmoid output");
    }
    assertEquals(
        List.of("task_spend", "task_tier", "task_churn"), g.getConfiguration().getNetworkOutputs());
  }

  @Test
  void aHuberRegressionHeadCarriesItsDeltaAndTaskWeightAndTrains() {
    FeaturizerState s = state();
    java.util.List<TaskEncoding> tasks = new java.util.ArrayList<>(s.tasks());
    var spend = tasks.get(0);
    tasks.set(
        0,
        new TaskEncoding(
            spend.name(),
            spend.type(),
            spend.column(),
            3.0,
            spend.classes(),
            spend.classCounts(),
            spend.mean(),
            spend.std(),
            spend.trainLabels(),
            TaskConfig.Loss.HUBER,
            0.5));
    FeaturizerState huber = withModalitiesAndTasks(s, s.modalities(), tasks);
    ComputationGraph g = GraphBuilder.build(huber, CONFIG.model(), CONFIG.train(), 1);
    var loss =
        ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer)
                g.getLayer("task_spend").conf().getLayer())
            .getLossFn();
    assertTrue(loss instanceof LossHuber, loss.toString());
    assertEquals(0.5, ((LossHuber) loss).getDelta());
    assertEquals(3.0, ((LossHuber) loss).getWeights().getDouble(0), 1e-6);
    double before = g.score(batch(huber, 16, 3));
    for (int i = 0; i < 20; i++) {
      g.fit(batch(huber, 16, 3));
    }
    assertTrue(g.score(batch(huber, 16, 3)) < before, "training lowers the score");
  }

  @Test
  void taskWeightsSetInPlaceAreSavedWithTheConfiguration() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    assertArrayEquals(
        new double[] {1.0, 0.5, 2.0}, TaskLossWeights.read(g), 1e-6, "the configured weights");
    TaskLossWeights.apply(g, new double[] {0.25, 3.0, 1.5});
    ComputationGraph copy =
        new ComputationGraph(
            org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(
                g.getConfiguration().toJson()));
    copy.init();
    assertArrayEquals(new double[] {0.25, 3.0, 1.5}, TaskLossWeights.read(copy), 1e-6);
    // The running layer uses them: doubling every weight doubles the score.
    MultiDataSet b = batch(s, 8, 4);
    double before = g.score(b);
    TaskLossWeights.apply(g, new double[] {0.5, 6.0, 3.0});
    double l2 = g.calcRegularizationScore(false);
    assertEquals(2 * (before - l2), g.score(b) - l2, 1e-4 * Math.abs(before));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(ModelConfig.TextEncoder.class)
  void everyTextEncoderIgnoresPaddingTokensTrainsAndSurvivesSaveAndLoad(
      ModelConfig.TextEncoder encoder) throws java.io.IOException {
    FeaturizerState s = state();
    MtlConfig config =
        ConfigLoader.load(List.of(), List.of("model.textEncoder=" + encoder.name().toLowerCase()));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 5);
    MultiDataSet b = batch(s, 12, 9);
    INDArray[] out = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());

    // Other token ids where the mask is 0 must not change anything.
    INDArray tokens = b.getFeatures(1).dup();
    INDArray mask = b.getFeaturesMaskArray(1);
    for (int r = 0; r < tokens.size(0); r++) {
      for (int c = 0; c < tokens.size(1); c++) {
        if (mask.getDouble(r, c) == 0) {
          tokens.putScalar(r, c, (r + c) % s.textVocabularySize());
        }
      }
    }
    INDArray[] features = b.getFeatures().clone();
    features[1] = tokens;
    INDArray[] padded = g.output(false, features, b.getFeaturesMaskArrays());
    for (int t = 0; t < out.length; t++) {
      assertEquals(
          0.0, out[t].sub(padded[t]).amaxNumber().doubleValue(), 1e-5, encoder + " output " + t);
    }

    ComputationGraph loaded = saveAndLoad(g);
    INDArray[] again = loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    for (int t = 0; t < out.length; t++) {
      assertEquals(out[t], again[t], encoder + " output " + t + " after save and load");
    }

    double before = g.score(b);
    for (int i = 0; i < 30; i++) {
      g.fit(b);
    }
    assertTrue(g.score(b) < 0.9 * before, encoder + " trains: " + before + " -> " + g.score(b));
  }

  @Test
  void aHeadWhoseLossHasNoWeightsWeighsOneAndRefusesAnotherWeight() {
    ComputationGraph g =
        new ComputationGraph(
            new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("in")
                .addLayer(
                    "y",
                    new org.deeplearning4j.nn.conf.layers.OutputLayer.Builder(
                            new org.nd4j.linalg.lossfunctions.impl.LossMSE())
                        .nIn(3)
                        .nOut(1)
                        .activation(org.nd4j.linalg.activations.Activation.IDENTITY)
                        .build(),
                    "in")
                .setOutputs("y")
                .build());
    g.init();
    assertArrayEquals(new double[] {1.0}, TaskLossWeights.read(g), 0.0);
    TaskLossWeights.apply(g, new double[] {1.0});
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, () -> TaskLossWeights.apply(g, new double[] {2.0}));
  }

  @Test
  void aTaskGetsNoGradientFromItsMaskedRows() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 2);
    MultiDataSet b = batch(s, 16, 7);
    INDArray mask = b.getLabelsMaskArray(1);
    assertTrue(
        mask.sumNumber().doubleValue() > 0 && mask.sumNumber().doubleValue() < 16,
        "some tier rows masked");
    g.setInputs(b.getFeatures());
    g.setLabels(b.getLabels());
    g.setLayerMaskArrays(b.getFeaturesMaskArrays(), b.getLabelsMaskArrays());
    g.computeGradientAndScore();
    INDArray before = g.gradient().gradient().dup();
    // Other classes for the masked rows of the tier task: nothing may change.
    INDArray tier = b.getLabels(1).dup();
    for (int r = 0; r < 16; r++) {
      if (mask.getDouble(r, 0) == 0) {
        tier.getRow(r).assign(0);
        tier.putScalar(r, (r + 1) % 4, 1);
      }
    }
    INDArray[] labels = b.getLabels().clone();
    labels[1] = tier;
    g.setLabels(labels);
    g.computeGradientAndScore();
    assertEquals(0.0, before.sub(g.gradient().gradient()).amaxNumber().doubleValue(), 1e-7);
  }

  @Test
  void inputSizesComeFromTheManifest() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    // Embedding: one row per token id (vocabulary plus reserved ids).
    assertArrayEquals(
        new long[] {s.textVocabularySize(), CONFIG.model().textEmbedding()},
        g.getLayer("text_embedding").getParam("W").shape());
    assertEquals(s.tabularWidth(), g.getLayer("tabular_dense0").getParam("W").size(0));
    long fused =
        CONFIG.model().tabularHidden().get(CONFIG.model().tabularHidden().size() - 1)
            + CONFIG.model().textEmbedding()
            + CONFIG.model().imageHidden()
            + 3;
    assertEquals(fused, g.getLayer("trunk0").getParam("W").size(0));
  }

  @Test
  void trainingOnABatchLowersItsScore() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    MultiDataSet mds = batch(s, 32, 3);
    assertThirtyStepsLowerTheScore(g, mds, 0.8, "");
  }

  @Test
  void mmoeSharesTheTrunkButItsLastLayerAndGivesEachTaskItsOwnGateOverTheExperts() {
    FeaturizerState s = state();
    MtlConfig config =
        org.mtlspark.config.ConfigLoader.load(
            List.of(), List.of("model.sharing=mmoe", "model.experts=3", "model.trunk=[16, 8]"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 1);
    assertEquals(16, g.getLayer("trunk0").getParam("W").size(1));
    assertTrue(g.getVertex("trunk1") == null, "the last trunk layer is the experts");
    MixtureOfExperts experts =
        (MixtureOfExperts) g.getLayer(GraphBuilder.EXPERTS).conf().getLayer();
    assertEquals(3, experts.experts());
    assertEquals(s.tasks().size(), experts.tasks());
    assertEquals(8L * s.tasks().size(), experts.getNOut());
    assertEquals(
        List.of(GraphBuilder.EXPERTS),
        g.getConfiguration().getVertexInputs().get("mixture_" + s.tasks().get(0).name()));
    MultiDataSet mds = batch(s, 32, 3);
    assertThirtyStepsLowerTheScore(g, mds, 0.8, "");
    java.util.Map<String, double[][]> all = ExpertGates.mean(g, List.of(mds));
    assertEquals(List.of(GraphBuilder.EXPERTS), List.copyOf(all.keySet()));
    double[][] gates = all.get(GraphBuilder.EXPERTS);
    assertEquals(s.tasks().size(), gates.length);
    for (double[] task : gates) {
      assertEquals(3, task.length);
      assertEquals(1.0, java.util.Arrays.stream(task).sum(), 1e-5);
    }
    assertTrue(
        ExpertGates.mean(GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1), List.of(mds))
            .isEmpty(),
        "hard sharing has no gates");
  }

  @Test
  void pleStacksALevelOfTaskAndSharedExpertsPerTrunkLayerAndGatesEachTaskOverItsOwnAndTheShared() {
    FeaturizerState s = state();
    int tasks = s.tasks().size();
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.sharing=ple",
                "model.experts=2",
                "model.taskExperts=1",
                "model.trunk=[16, 8]"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 1);
    MixtureOfExperts low = ExpertGates.conf(g, "extraction0");
    MixtureOfExperts high = ExpertGates.conf(g, "extraction1");
    assertEquals(List.of("extraction0", "extraction1"), ExpertGates.layers(g));
    assertTrue(!low.blockedInput() && low.sharedOutput(), "the first level reads the fusion");
    assertEquals(16L * (tasks + 1), low.getNOut(), "each task's mixture and the shared one");
    assertTrue(high.blockedInput() && !high.sharedOutput(), "the last level reads the blocks");
    assertEquals(16L * (tasks + 1), high.getNIn());
    assertEquals(8L * tasks, high.getNOut());
    assertArrayEquals(
        new long[] {tasks + 2, 16, 8},
        g.getLayer("extraction1").getParam(MixtureOfExperts.EXPERT_WEIGHTS).shape(),
        "one expert per task and two shared ones, each reading one block of 16");
    assertEquals(
        List.of("extraction1"),
        g.getConfiguration().getVertexInputs().get("mixture_" + s.tasks().get(0).name()));
    MultiDataSet mds = batch(s, 32, 3);
    assertThirtyStepsLowerTheScore(g, mds, 0.8, "");
    java.util.Map<String, double[][]> gates = ExpertGates.mean(g, List.of(mds));
    assertEquals(tasks + 1, gates.get("extraction0").length, "task gates and the shared gate");
    assertEquals(tasks + 2, gates.get("extraction0")[tasks].length, "the shared gate mixes all");
    assertEquals(tasks, gates.get("extraction1").length, "no shared gate on the last level");
    for (double[][] level : gates.values()) {
      for (int k = 0; k < tasks; k++) {
        assertEquals(3, level[k].length, "a task's own expert and the two shared");
        assertEquals(1.0, java.util.Arrays.stream(level[k]).sum(), 1e-5);
      }
    }
  }

  @Test
  void thePaperNetworkHasValidFiveByFiveConvolutionsChannelDropoutAndALayerPerTask()
      throws java.io.IOException {
    FeaturizerState s = state();
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.imageFilters=[4]",
                "model.imageKernel=5",
                "model.imagePadding=valid",
                "model.imageDropout=0.5",
                "model.trunk=[]",
                "model.taskHidden=[7]",
                "model.dropout=0.5"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 1);
    assertArrayEquals(new long[] {4, 1, 5, 5}, g.getLayer("image_conv0").getParam("W").shape());
    long w = (s.imageWidth() - 4) / 2;
    long h = (s.imageHeight() - 4) / 2;
    assertEquals(4 * w * h, g.getLayer("image_dense").getParam("W").size(0), "valid windows only");
    assertTrue(g.getVertex("image_dropout") != null, "the channel dropout");
    assertTrue(g.getVertex("trunk0") == null, "nothing shared above the fusion");
    for (TaskEncoding t : s.tasks()) {
      String hidden = "hidden_" + t.name() + "_0";
      assertEquals(List.of("fusion"), g.getConfiguration().getVertexInputs().get(hidden));
      assertEquals(
          List.of(hidden),
          g.getConfiguration().getVertexInputs().get(GraphBuilder.outputName(t.name())));
      assertEquals(7, g.getLayer(hidden).getParam("W").size(1));
    }
    MultiDataSet b = batch(s, 16, 4);
    INDArray[] out = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    assertEquals(
        out[0],
        g.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0],
        "no dropout at inference");
    ComputationGraph loaded = saveAndLoad(g);
    assertEquals(out[0], loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0]);
  }

  @Test
  void maskedTokensDoNotChangeTheOutput() {
    FeaturizerState s = state();
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    MultiDataSet mds = batch(s, 4, 5);
    INDArray before = g.output(false, mds.getFeatures(), mds.getFeaturesMaskArrays())[0].dup();
    INDArray tokens = mds.getFeatures(1);
    INDArray mask = mds.getFeaturesMaskArray(1);
    for (int i = 0; i < tokens.size(0); i++) {
      for (int j = 0; j < tokens.size(1); j++) {
        if (mask.getDouble(i, j) == 0) {
          tokens.putScalar(i, j, 5);
        }
      }
    }
    INDArray after = g.output(false, mds.getFeatures(), mds.getFeaturesMaskArrays())[0];
    assertEquals(
        0,
        before.sub(after).amaxNumber().doubleValue(),
        1e-6,
        "padding is masked out of the text mean");
    // And the mask does matter: unmasking the changed positions changes the output.
    INDArray after2 =
        g.output(false, mds.getFeatures(), new INDArray[] {null, mask.assign(1), null, null})[0];
    assertTrue(before.sub(after2).amaxNumber().doubleValue() > 1e-6);
  }

  @Test
  void aBatchReadBackFromItsFileTrains(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    FeaturizerState s = state();
    java.nio.file.Path file = dir.resolve("b.mds");
    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(file)) {
      batch(s, 8, 6).save(out);
    }
    MultiDataSet read =
        BatchFiles.read(new org.apache.hadoop.conf.Configuration(), file.toUri().toString());
    assertEquals(null, read.getFeaturesMaskArray(2), "the image input has no mask after reading");
    assertArrayEquals(new long[] {8, s.maxTokens()}, read.getFeaturesMaskArray(1).shape());
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    g.fit(read);
    assertTrue(Double.isFinite(g.score()));
  }

  @Test
  void withoutAnImageSourceTheGraphHasNoImageEncoderAndAMultiLabelHeadLearns() {
    List<TaskEncoding> tasks =
        List.of(
            new TaskEncoding(
                "g",
                TaskConfig.TaskType.MULTILABEL,
                "g",
                1,
                List.of("a", "b", "c"),
                List.of(5L, 5L, 5L),
                0,
                1,
                10));
    FeaturizerState s = FeaturizerState.numbers(List.of("x"), List.of(0.0), List.of(1.0), tasks);
    ComputationGraph g = GraphBuilder.build(s, CONFIG.model(), CONFIG.train(), 1);
    assertEquals(List.of("tabular", "presence"), g.getConfiguration().getNetworkInputs());
    assertTrue(
        java.util.Arrays.stream(g.getLayers())
            .noneMatch(l -> l.getConfig().getLayerName().startsWith("image")),
        "no image encoder");
    // Label j is on when x > j - 1: learnable from x alone.
    java.util.Random r = new java.util.Random(3);
    float[][] x = new float[64][1];
    float[][] y = new float[64][3];
    float[][] presence = new float[64][1];
    for (int i = 0; i < 64; i++) {
      x[i][0] = (float) (r.nextGaussian() * 1.5);
      presence[i][0] = 1;
      for (int j = 0; j < 3; j++) {
        y[i][j] = x[i][0] > j - 1 ? 1 : 0;
      }
    }
    MultiDataSet mds =
        new org.nd4j.linalg.dataset.MultiDataSet(
            new INDArray[] {
              org.nd4j.linalg.factory.Nd4j.createFromArray(x),
              org.nd4j.linalg.factory.Nd4j.createFromArray(presence)
            },
            new INDArray[] {org.nd4j.linalg.factory.Nd4j.createFromArray(y)});
    double before = g.score(mds);
    for (int i = 0; i < 200; i++) {
      g.fit(mds);
    }
    INDArray out = g.output(mds.getFeatures())[0];
    double wrong =
        out.gt(0.5)
            .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
            .sub(org.nd4j.linalg.factory.Nd4j.createFromArray(y))
            .norm1Number()
            .doubleValue();
    assertTrue(g.score(mds) < before * 0.5, "score " + before + " -> " + g.score(mds));
    assertTrue(wrong <= 12, "at most 12 of 192 label decisions wrong, was " + wrong);
    for (int j = 0; j < 3; j++) {
      assertTrue(out.getDouble(0, j) > 0 && out.getDouble(0, j) < 1, "a sigmoid per label");
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({
    "concat,hard",
    "attention,hard",
    "concat,soft",
    "attention,soft",
    "concat,mmoe",
    "attention,ple",
    "spatial,hard"
  })
  void everyFusionAndSharingTrainsAndSurvivesSaveAndLoad(String fusion, String sharing)
      throws java.io.IOException {
    FeaturizerState s = state();
    MtlConfig config =
        ConfigLoader.load(List.of(), List.of("model.fusion=" + fusion, "model.sharing=" + sharing));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 3);
    assertEquals(
        List.of("task_spend", "task_tier", "task_churn"), g.getConfiguration().getNetworkOutputs());
    assertEquals(
        fusion.equals("attention"), g.getVertex("fusion_attention") != null, "attention layer");
    assertEquals(sharing.equals("soft"), g.getVertex("towers0") != null, "tower layers");
    MultiDataSet b = batch(s, 16, 4);
    INDArray[] out = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    assertArrayEquals(new long[] {16, 4}, out[1].shape());

    ComputationGraph loaded = saveAndLoad(g);
    INDArray[] again = loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    for (int t = 0; t < out.length; t++) {
      assertEquals(
          out[t], again[t], fusion + "/" + sharing + " output " + t + " after save and load");
    }
    assertEquals(g.calcRegularizationScore(true), loaded.calcRegularizationScore(true), 1e-6);

    assertThirtyStepsLowerTheScore(g, b, 0.9, fusion + "/" + sharing + " trains: ");
  }

  /** {@link TestBatches#state()} with the text and the image only. */
  static FeaturizerState textAndImage() {
    FeaturizerState s = TestBatches.state();
    return withModalitiesAndTasks(s, List.of(ModelInputs.TEXT, ModelInputs.IMAGE), s.tasks());
  }

  @Test
  void anotherModelsImageAndTextEncodersAreCopiedFrozenFirstAndTheRestStaysAsBuilt()
      throws java.io.IOException {
    FeaturizerState s = textAndImage();
    List<String> settings =
        List.of(
            "model.imageFilters=[2, 3]",
            "model.imageHidden=4",
            "model.textEmbedding=4",
            "model.textEncoder=conv",
            "model.trunk=[4]",
            "train.pretrained.frozenEpochs=1",
            "train.pretrained.from=runs/other",
            "train.pretrained.parts=[image, text]");
    MtlConfig config = ConfigLoader.load(List.of(), settings);
    ComputationGraph source = GraphBuilder.build(s, config.model(), config.train(), 1);
    Set<String> layers = PretrainedEncoders.layers(config.model(), List.of("image", "text"));
    assertEquals(
        Set.of("image_conv0", "image_conv1", "image_dense", "text_embedding", "text_conv"), layers);
    // Two steps per epoch: the first two steps are the frozen epoch.
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 2, 2, layers);
    String head = GraphBuilder.outputName(s.tasks().get(0).name());
    INDArray trunk = g.getLayer("trunk0").getParam("W").dup();
    INDArray headBefore = g.getLayer(head).getParam("W").dup();
    PretrainedEncoders.Copied copied = PretrainedEncoders.copy(source, "runs/other", g, layers);
    long expected = 0;
    for (String name : layers) {
      expected += source.getLayer(name).numParams();
      assertEquals(source.getLayer(name).params(), g.getLayer(name).params(), name + " copied");
    }
    assertEquals(expected, copied.parameters());
    assertEquals(trunk, g.getLayer("trunk0").getParam("W"), "the trunk stays as built");
    assertNotEquals(
        source.getLayer("trunk0").getParam("W"),
        g.getLayer("trunk0").getParam("W"),
        "seeds differ");

    MultiDataSet b = batch(s, 8, 3);
    g.fit(b);
    g.fit(b);
    for (String name : layers) {
      assertEquals(
          0.0,
          g.getLayer(name).params().sub(source.getLayer(name).params()).amaxNumber().doubleValue(),
          1e-6,
          name + " frozen during the first epoch");
    }
    assertTrue(
        g.getLayer(head).getParam("W").sub(headBefore).amaxNumber().doubleValue() > 1e-5,
        "the rest trains");
    ComputationGraph reloaded = saveAndLoad(g);
    reloaded.fit(b);
    assertTrue(
        reloaded
                .getLayer("image_conv0")
                .params()
                .sub(source.getLayer("image_conv0").params())
                .amaxNumber()
                .doubleValue()
            > 1e-5,
        "trains from the second epoch, the schedule saved with the model");
  }

  @Test
  void anotherModelsTextEmbeddingIsCopiedByTokenNotById() {
    FeaturizerState s = textAndImage();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.textEmbedding=4"));
    ComputationGraph source = GraphBuilder.build(s, config.model(), config.train(), 1);
    Set<String> layers = Set.of(GraphBuilder.TEXT_EMBEDDING);
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 2, 0, layers);
    INDArray built = g.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").dup();
    List<String> from = s.vocabulary();
    // This data's vocabulary: the other's in reverse order, its first token one the other lacks.
    List<String> here = new java.util.ArrayList<>(from);
    java.util.Collections.reverse(here);
    here.set(0, "never-seen-there");
    PretrainedEncoders.Copied copied =
        PretrainedEncoders.copy(
            source, "runs/other", g, layers, new PretrainedEncoders.Vocabularies(from, here));
    assertEquals(from.size() - 1, copied.tokens());
    INDArray was = source.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W");
    INDArray now = g.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W");
    int first = org.mtlspark.prep.feature.TextVocabulary.FIRST_TOKEN;
    for (int r = 0; r < first; r++) {
      assertEquals(was.getRow(r), now.getRow(r), "reserved id " + r);
    }
    assertEquals(built.getRow(first), now.getRow(first), "a token the other lacks stays as built");
    for (int t = 1; t < here.size(); t++) {
      assertEquals(
          was.getRow(first + from.indexOf(here.get(t))), now.getRow(first + t), here.get(t));
    }
  }

  @Test
  void aTableEncoderOfOtherColumnsOrWithoutLayersIsRefused() {
    List<TaskEncoding> tasks = TestBatches.state().tasks();
    FeaturizerState there =
        FeaturizerState.numbers(
            List.of("s.age", "s.income"), List.of(0.0, 0.0), List.of(1.0, 1.0), tasks);
    FeaturizerState here =
        FeaturizerState.numbers(
            List.of("s.age", "s.visits"), List.of(0.0, 0.0), List.of(1.0, 1.0), tasks);
    List<String> d = PretrainedEncoders.featureDifferences(there, here, List.of("tabular"));
    assertEquals(1, d.size(), d.toString());
    assertTrue(
        d.get(0)
            .contains("numeric columns differ: [s.age, s.income] there, [s.age, s.visits] here"),
        d.get(0));
    assertEquals(List.of(), PretrainedEncoders.featureDifferences(there, here, List.of("image")));
    assertEquals(
        List.of(), PretrainedEncoders.featureDifferences(there, there, List.of("tabular")));
    MtlConfig none = ConfigLoader.load(List.of(), List.of("model.tabularHidden=[]"));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> PretrainedEncoders.layers(none.model(), List.of("tabular")));
    assertTrue(e.getMessage().contains("the tabular encoder has no layer to take"), e.getMessage());
  }

  @Test
  void anEncoderOfAnotherShapeOrAMissingLayerIsRefusedNamingTheLayer() {
    FeaturizerState s = textAndImage();
    MtlConfig one = ConfigLoader.load(List.of(), List.of("model.imageFilters=[2]"));
    MtlConfig two = ConfigLoader.load(List.of(), List.of("model.imageFilters=[3, 4]"));
    ComputationGraph source = GraphBuilder.build(s, one.model(), one.train(), 1);
    Set<String> layers = PretrainedEncoders.layers(two.model(), List.of("image"));
    ComputationGraph g = GraphBuilder.build(s, two.model(), two.train(), 2, 0, layers);
    INDArray before = g.params().dup();
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> PretrainedEncoders.copy(source, "runs/one", g, layers));
    assertTrue(
        e.getMessage()
            .contains("image_conv0 parameter W is [2, 1, 3, 3] in runs/one and [3, 1, 3, 3] here"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "runs/one has no layer image_conv1: its model has [image_conv0, image_pool0, image_dense]"),
        e.getMessage());
    assertEquals(before, g.params(), "nothing copied when anything does not match");
  }

  @Test
  void spatialFusionGradientsThroughTheTextAndTheConvolutionsMatchFiniteDifferences() {
    FeaturizerState s = textAndImage();
    ComputationGraph g =
        checkedGraph(
            s,
            "model.fusion=spatial",
            "model.textEmbedding=4",
            "model.imageFilters=[2]",
            "model.imageHidden=3",
            "model.fusionDim=4",
            "model.fusionHeads=2",
            "model.trunk=[4]");
    // 8x8 images, one 3x3 convolution with padding and a 2x2 pooling: 4x4 cells of 2 channels.
    SpatialAttention layer =
        (SpatialAttention) g.getLayer(GraphBuilder.SPATIAL_ATTENTION).conf().getLayer();
    assertEquals(16, layer.cells());
    assertEquals(4, layer.rows());
    assertEquals(2, layer.channels());
    assertEquals(4, layer.queryWidth());
    MultiDataSet b = batch(s, 5, 9);
    assertTrue(gradientsPass(g, b), "analytic and numeric gradients agree with spatial fusion");
  }

  @Test
  void withSpatialFusionTheTextChangesWhereTheImageIsLookedAt() {
    FeaturizerState s = textAndImage();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.fusion=spatial"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 5);
    MultiDataSet b = batch(s, 8, 6);
    INDArray[] features = b.getFeatures().clone();
    INDArray weights = GraphBuilder.spatialAttention(g, features, b.getFeaturesMaskArrays());
    assertArrayEquals(new long[] {8, 2, 4 * 4}, weights.shape(), "rows, heads, 4x4 cells");
    assertEquals(0.0, weights.sum(2).sub(1.0).amaxNumber().doubleValue(), 1e-5, "each sums to 1");
    // Another text over the same image: another attention.
    INDArray[] other = features.clone();
    other[0] = features[0].dup();
    for (int r = 0; r < 8; r++) {
      other[0].putRow(r, features[0].getRow((r + 1) % 8));
    }
    INDArray[] otherMasks = b.getFeaturesMaskArrays().clone();
    otherMasks[0] = otherMasks[0].dup();
    for (int r = 0; r < 8; r++) {
      otherMasks[0].putRow(r, b.getFeaturesMaskArrays()[0].getRow((r + 1) % 8));
    }
    INDArray moved = GraphBuilder.spatialAttention(g, other, otherMasks);
    assertTrue(
        weights.sub(moved).amaxNumber().doubleValue() > 1e-4,
        "the question moves the attention over the same image");
  }

  @Test
  void aWideImageGivesAFeatureMapOfItsRowsAndColumns() {
    FeaturizerState square = textAndImage();
    // 12 pixels wide, 8 high.
    FeaturizerState s =
        new FeaturizerState(
            square.modalities(),
            square.numericColumns(),
            square.means(),
            square.stds(),
            square.missingIndicators(),
            square.categoricalColumns(),
            square.categories(),
            square.hashedColumns(),
            square.hashBuckets(),
            square.maxTokens(),
            square.vocabulary(),
            12,
            8,
            square.tasks());
    MtlConfig same =
        ConfigLoader.load(List.of(), List.of("model.fusion=spatial", "model.imageFilters=[3]"));
    assertArrayEquals(new int[] {4, 6}, GraphBuilder.imageMap(s, same.model()), "rows, columns");
    MtlConfig valid =
        ConfigLoader.load(List.of(), List.of("model.imageFilters=[3]", "model.imagePadding=valid"));
    assertArrayEquals(new int[] {3, 5}, GraphBuilder.imageMap(s, valid.model()));
    ComputationGraph g = GraphBuilder.build(s, same.model(), same.train(), 3);
    SpatialAttention layer =
        (SpatialAttention) g.getLayer(GraphBuilder.SPATIAL_ATTENTION).conf().getLayer();
    assertEquals(4, layer.rows());
    assertEquals(6, layer.columns());
    MultiDataSet b = batch(s, 4, 2);
    assertArrayEquals(
        new long[] {4, 2, 24},
        GraphBuilder.spatialAttention(g, b.getFeatures(), b.getFeaturesMaskArrays()).shape());
  }

  @Test
  void taskAttentionGradientsThroughEachTasksAttentionAndTheConvolutionsMatchFiniteDifferences() {
    FeaturizerState s = textAndImage();
    ComputationGraph g =
        checkedGraph(
            s,
            "model.taskAttentionHeads=2",
            "model.fusionDim=4",
            "model.textEmbedding=4",
            "model.imageFilters=[2]",
            "model.imageHidden=3",
            "model.trunk=[3]");
    for (TaskEncoding task : s.tasks()) {
      // 8x8 images, one 3x3 convolution with padding and a 2x2 pooling: 4x4 cells of 2 channels,
      // queried by the trunk's 3 units.
      SpatialAttention layer =
          (SpatialAttention)
              g.getLayer(GraphBuilder.TASK_ATTENTION + task.name()).conf().getLayer();
      assertEquals(16, layer.cells(), task.name());
      assertEquals(3, layer.queryWidth(), task.name());
      assertEquals(2, layer.heads(), task.name());
    }
    assertTrue(
        gradientsPass(g, batch(s, 4, 11)),
        "analytic and numeric gradients agree with each task's attention");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"hard", "soft", "mmoe", "ple"})
  void eachTaskReadsTheImageThroughItsOwnAttention(String sharing) throws java.io.IOException {
    FeaturizerState s = state();
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of("model.taskAttentionHeads=2", "model.fusionDim=8", "model.sharing=" + sharing));
    ComputationGraph g = saveAndLoad(GraphBuilder.build(s, config.model(), config.train(), 5));
    MultiDataSet b = batch(s, 6, 4);
    INDArray[] before = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    // Silence the first task's attention: what it finds (its values) becomes zero.
    String first = s.tasks().get(0).name();
    g.getLayer(GraphBuilder.TASK_ATTENTION + first).getParam(SpatialAttention.VALUE).assign(0);
    INDArray[] after = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    assertTrue(
        before[0].sub(after[0]).amaxNumber().doubleValue() > 1e-5, first + " reads its attention");
    for (int t = 1; t < s.tasks().size(); t++) {
      assertEquals(
          0.0,
          before[t].sub(after[t]).amaxNumber().doubleValue(),
          0.0,
          s.tasks().get(t).name() + " does not read " + first + "'s attention");
    }
  }

  @Test
  void taskAttentionWithoutAnImageIsRefusedByName() {
    FeaturizerState s = tableAndText();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.taskAttentionHeads=2"));
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> GraphBuilder.build(s, config.model(), config.train(), 5));
    assertTrue(
        e.getMessage().contains("model.taskAttentionHeads")
            && e.getMessage().contains("no image encoder")
            && e.getMessage().contains("[tabular, text]"),
        e.getMessage());
  }

  @Test
  void pretrainedWordVectorsStayAsLoadedForTheirFrozenEpochsThenTrainAfterSaveAndLoad()
      throws java.io.IOException {
    FeaturizerState s = state();
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.textEmbedding=4",
                "model.l2=0.001",
                "train.pretrained.frozenEpochs=1",
                "train.pretrained.rateFactor=0.5"));
    float[][] rows = new float[s.vocabulary().size()][];
    rows[0] = new float[] {0.5f, -0.5f, 0.25f, 1f};
    rows[2] = new float[] {-1f, 0f, 2f, 0.125f};
    org.mtlspark.prep.feature.WordVectors vectors =
        new org.mtlspark.prep.feature.WordVectors(4, rows);
    // Two steps per epoch: the first two steps are the frozen epoch.
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 5, 2, true);
    INDArray random = g.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").dup();
    GraphBuilder.TextVectorsSet set = GraphBuilder.setTextVectors(g, vectors, 1.0);
    assertEquals(2, set.rows(), "two tokens have a vector");
    INDArray embedding = g.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W");
    int first = org.mtlspark.prep.feature.TextVocabulary.FIRST_TOKEN;
    assertArrayEquals(rows[2], embedding.getRow(first + 2).toFloatVector());
    assertArrayEquals(
        random.getRow(first + 1).toFloatVector(),
        embedding.getRow(first + 1).toFloatVector(),
        "a token without a vector keeps its random row");
    // auto: one factor that gives the vectors' values the random rows' spread.
    ComputationGraph scaled = GraphBuilder.build(s, config.model(), config.train(), 5, 2, true);
    double spread =
        scaled.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").stdNumber().doubleValue();
    GraphBuilder.TextVectorsSet auto = GraphBuilder.setTextVectors(scaled, vectors, Double.NaN);
    float[] both = new float[8];
    for (int d = 0; d < 4; d++) {
      both[d] = rows[0][d];
      both[4 + d] = rows[2][d];
    }
    double mean = 0;
    for (float x : both) {
      mean += x / 8.0;
    }
    double variance = 0;
    for (float x : both) {
      variance += (x - mean) * (x - mean) / 8.0;
    }
    assertEquals(spread / Math.sqrt(variance), auto.scale(), 1e-3 * auto.scale());
    INDArray row = scaled.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").getRow(first + 2);
    for (int d = 0; d < 4; d++) {
      assertEquals(rows[2][d] * auto.scale(), row.getDouble(d), 1e-6, "value " + d);
    }
    INDArray loaded = embedding.dup();
    String head = GraphBuilder.outputName(s.tasks().get(1).name());
    INDArray headBefore = g.getLayer(head).getParam("W").dup();
    MultiDataSet b = batch(s, 8, 3);
    g.fit(b);
    g.fit(b);
    // ND4J's Adam at a rate of 0 moves nothing but float rounding (a step of the rest: ~1e-3).
    assertEquals(
        0.0,
        g.getLayer(GraphBuilder.TEXT_EMBEDDING)
            .getParam("W")
            .sub(loaded)
            .amaxNumber()
            .doubleValue(),
        1e-6,
        "frozen during the first epoch, L2 included");
    assertTrue(
        g.getLayer(head).getParam("W").sub(headBefore).amaxNumber().doubleValue() > 1e-5,
        "the rest trains");
    ComputationGraph reloaded = saveAndLoad(g);
    reloaded.fit(b);
    assertTrue(
        reloaded
                .getLayer(GraphBuilder.TEXT_EMBEDDING)
                .getParam("W")
                .sub(loaded)
                .amaxNumber()
                .doubleValue()
            > 1e-4,
        "trains from the second epoch, the schedule saved with the model");
    // Without pretrained vectors the embedding trains from the first step.
    ComputationGraph plain = GraphBuilder.build(s, config.model(), config.train(), 5, 2, false);
    INDArray start = plain.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").dup();
    plain.fit(b);
    assertTrue(
        plain
                .getLayer(GraphBuilder.TEXT_EMBEDDING)
                .getParam("W")
                .sub(start)
                .amaxNumber()
                .doubleValue()
            > 1e-4);
    // Vectors of another width are refused by name.
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                GraphBuilder.setTextVectors(
                    plain, new org.mtlspark.prep.feature.WordVectors(3, new float[2][]), 1.0));
    assertTrue(e.getMessage().contains("set model.textEmbedding to 3"), e.getMessage());
  }

  @Test
  void wordVectorsSetTheTextEmbeddingsWidthOnlyWhereAnEncoderReadsTheText() {
    FeaturizerState s = state();
    org.mtlspark.prep.manifest.Manifest manifest =
        new org.mtlspark.prep.manifest.Manifest(
            org.mtlspark.prep.manifest.Manifest.FORMAT_VERSION,
            "now",
            8,
            List.of(),
            s,
            java.util.Map.of(),
            null,
            new org.mtlspark.prep.manifest.Manifest.TextVectors(
                "v.txt", "text-vectors.bin", 5, 6, 3));
    MtlConfig reads = ConfigLoader.load(List.of(), List.of("model.textEmbedding=16"));
    assertEquals(
        5,
        org.mtlspark.workers.train.TrainJob.withTextVectorsWidth(reads, manifest)
            .model()
            .textEmbedding());
    // The fusion leaves the text out: no text encoder, nothing to set, the width stays.
    MtlConfig unread =
        ConfigLoader.load(
            List.of(), List.of("model.textEmbedding=16", "model.fuse=[tabular, image]"));
    assertTrue(!GraphBuilder.readsTextEncoder(s, unread.model()));
    assertEquals(
        16,
        org.mtlspark.workers.train.TrainJob.withTextVectorsWidth(unread, manifest)
            .model()
            .textEmbedding());
    ComputationGraph g = GraphBuilder.build(s, unread.model(), unread.train(), 3, 2, false);
    assertEquals(
        0,
        GraphBuilder.setTextVectors(
                g, new org.mtlspark.prep.feature.WordVectors(5, new float[6][]), 1.0)
            .rows());
    // Attention over vectors of 5 values with 2 heads cannot split them: refused by name.
    MtlConfig attention =
        ConfigLoader.load(List.of(), List.of("model.textEncoder=attention", "model.textHeads=2"));
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> org.mtlspark.workers.train.TrainJob.withTextVectorsWidth(attention, manifest));
    assertTrue(
        e.getMessage().contains("v.txt have 5 values, which model.textHeads (2) must divide"),
        e.getMessage());
  }

  @Test
  void spatialFusionWithoutAnImageIsRefusedByName() {
    FeaturizerState s = tableAndText();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.fusion=spatial"));
    var e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> GraphBuilder.build(s, config.model(), config.train(), 5));
    assertTrue(
        e.getMessage().contains("needs a text (the question) and an image")
            && e.getMessage().contains("[tabular, text]"),
        e.getMessage());
  }

  @Test
  void withAttentionFusionAnAbsentModalityDoesNotReachTheHeads() {
    FeaturizerState s = state();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.fusion=attention"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 4);
    MultiDataSet b = batch(s, 8, 5);
    INDArray[] features = b.getFeatures().clone();
    features[3] = features[3].dup();
    for (int r = 0; r < 4; r++) {
      features[3].putScalar(r, 2, 0);
    }
    INDArray[] before = g.output(false, features, b.getFeaturesMaskArrays());
    INDArray[] changed = features.clone();
    changed[2] = features[2].dup().muli(-3).addi(1);
    INDArray[] after = g.output(false, changed, b.getFeaturesMaskArrays());
    for (int t = 0; t < before.length; t++) {
      for (int r = 0; r < 8; r++) {
        double diff = before[t].getRow(r).sub(after[t].getRow(r)).amaxNumber().doubleValue();
        if (r < 4) {
          assertEquals(0.0, diff, 1e-6, "task " + t + " row " + r + " has no image");
        } else {
          assertTrue(diff > 1e-6, "task " + t + " row " + r + " sees its image");
        }
      }
    }
  }

  /** {@link TestBatches#stateWithIds()} with the table and the ids only: a graph small enough to check every parameter. */
  static FeaturizerState tableAndIds() {
    FeaturizerState s = TestBatches.stateWithIds();
    return withModalitiesAndTasks(s, List.of(ModelInputs.TABULAR), s.tasks())
        .withIds(s.idColumns(), s.idVocabularies());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"concat,false", "attention,false", "concat,true"})
  void gradientsWithTheIdsInputMatchFiniteDifferences(String fusion, boolean wide) {
    FeaturizerState s = tableAndIds();
    ComputationGraph g =
        checkedGraph(
            s,
            "model.fusion=" + fusion,
            "model.wide=" + wide,
            "model.idEmbedding=3",
            "model.fusionDim=4",
            "model.trunk=[5]");
    assertEquals(
        List.of(ModelInputs.TABULAR, ModelInputs.IDS, ModelInputs.PRESENCE),
        g.getConfiguration().getNetworkInputs());
    // A wide head reads the trunk's 5 units and the tabular input itself.
    assertEquals(
        5 + (wide ? s.tabularWidth() : 0),
        g.getLayer("task_spend").getParam("W").size(0),
        "inputs of the spend head");
    // Every index of both columns, 0 included, occurs, so every row of both tables is checked.
    MultiDataSet b = batch(s, 12, 8);
    INDArray ids = b.getFeatures(1);
    for (int r = 0; r < 12; r++) {
      ids.putScalar(r, 0, r % s.idVocabularySize(0));
      ids.putScalar(r, 1, r % s.idVocabularySize(1));
    }
    assertTrue(
        GradientChecks.passes(
            new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(doubles(b.getFeatures()))
                .labels(doubles(b.getLabels()))),
        "analytic and numeric gradients agree with the id embeddings ("
            + fusion
            + " fusion, wide "
            + wide
            + ")");
  }

  /** {@link TestBatches#state()} with the table and the text only. */
  static FeaturizerState tableAndText() {
    FeaturizerState s = TestBatches.state();
    return withModalitiesAndTasks(s, List.of(ModelInputs.TABULAR, ModelInputs.TEXT), s.tasks());
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void gradientsWithMaskedTextMatchFiniteDifferences(boolean wide) {
    FeaturizerState s = tableAndText();
    ComputationGraph g =
        checkedGraph(s, "model.wide=" + wide, "model.textEmbedding=4", "model.trunk=[4]");
    // A wide head reads the trunk's 4 units, the tabular input and the text's mean embedding.
    assertEquals(
        4 + (wide ? s.tabularWidth() + 4 : 0),
        g.getLayer("task_spend").getParam("W").size(0),
        "inputs of the spend head");
    MultiDataSet b = batch(s, 6, 8);
    assertTrue(
        b.getFeaturesMaskArrays()[1].minNumber().doubleValue() == 0, "some padding is masked");
    assertTrue(
        gradientsPass(g, b),
        "analytic and numeric gradients agree with masked text (wide " + wide + ")");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"bilstm", "conv", "mean"})
  void tokenTaskGradientsThroughTheTextEncoderMatchFiniteDifferences(String encoder) {
    FeaturizerState s = TestBatches.stateWithTokens();
    ComputationGraph g =
        checkedGraph(
            s,
            "model.textEncoder=" + encoder,
            "model.textEmbedding=4",
            "model.textHidden=2",
            "model.trunk=[3]");
    assertEquals(
        s.tasks().size(), g.getNumOutputArrays(), "one head per task, the token task's included");
    MultiDataSet b = tokenBatch(s, 5, 3);
    assertEquals(0.0, b.getLabelsMaskArray(3).minNumber().doubleValue(), "padding is masked");
    INDArray[] out = g.output(false, doubles(b.getFeatures()), doubles(b.getFeaturesMaskArrays()));
    assertArrayEquals(new long[] {5, 3, s.maxTokens()}, out[3].shape(), "a tag per position");
    assertTrue(
        gradientsPass(g, b),
        "analytic and numeric gradients agree with a token task over " + encoder);
  }

  static MultiDataSet captionBatch(FeaturizerState s, int n, long seed) {
    return BatchBuilder.build(
        TestBatches.captionExamples(s, n, seed, true), BatchBuilder.perToken(s.tasks()));
  }

  /** A small caption model of {@link TestBatches#stateWithCaption()} in double precision. */
  static ComputationGraph captionGraph(FeaturizerState s, String... more) {
    List<String> settings =
        new java.util.ArrayList<>(
            List.of(
                "model.textEmbedding=4",
                "model.textHidden=3",
                "model.imageFilters=[2]",
                "model.imageHidden=3",
                "model.trunk=[3]"));
    settings.addAll(List.of(more));
    return checkedGraph(s, settings.toArray(String[]::new));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 2})
  void captionGradientsThroughTheDecoderTheTrunkAndTheConvolutionsMatchFiniteDifferences(
      int heads) {
    FeaturizerState s = TestBatches.stateWithCaption();
    ComputationGraph g = captionGraph(s, "model.captionHeads=" + heads, "model.fusionDim=4");
    assertEquals(
        heads > 0,
        g.getVertex(GraphBuilder.DECODER + "caption_attention") != null,
        "attention over the cells with heads");
    assertEquals(null, g.getVertex("text_embedding"), "no encoder reads the caption");
    MultiDataSet b = captionBatch(s, 5, 3);
    assertEquals(0.0, b.getLabelsMaskArray(3).minNumber().doubleValue(), "padding is masked");
    INDArray[] out = g.output(false, doubles(b.getFeatures()), doubles(b.getFeaturesMaskArrays()));
    assertArrayEquals(
        new long[] {5, s.vocabulary().size() + 2, s.maxTokens()},
        out[3].shape(),
        "a word (or the end) per position");
    assertTrue(
        gradientsPass(g, b),
        "analytic and numeric gradients agree with a caption task, " + heads + " heads");
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {0, 2})
  void aCaptionPositionReadsTheWordsBeforeItAndTheOtherTasksNeverReadTheCaption(int heads)
      throws java.io.IOException {
    FeaturizerState s = TestBatches.stateWithCaption();
    ComputationGraph g =
        saveAndLoad(
            captionGraph(s, "model.wide=true", "model.captionHeads=" + heads, "model.fusionDim=4"));
    MultiDataSet b = captionBatch(s, 4, 5);
    INDArray[] features = doubles(b.getFeatures());
    INDArray[] masks = doubles(b.getFeaturesMaskArrays());
    int text = g.getConfiguration().getNetworkInputs().indexOf(ModelInputs.TEXT);
    // Four words in every row.
    INDArray ids = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 4, s.maxTokens());
    INDArray mask = ids.like();
    for (int r = 0; r < 4; r++) {
      for (int at = 0; at < 4; at++) {
        ids.putScalar(r, at, 3 + (r + at) % 3);
        mask.putScalar(r, at, 1);
      }
    }
    features[text] = ids;
    masks[text] = mask;
    INDArray[] before = g.output(false, features, masks);
    INDArray changed = ids.dup();
    changed.putScalar(0, 2, 3 + (ids.getInt(0, 2) - 2) % 3); // another word at position 2
    features[text] = changed;
    INDArray[] after = g.output(false, features, masks);
    for (int t = 0; t < 3; t++) {
      assertTrue(before[t].equalsWithEps(after[t], 1e-12), "task " + t + " does not read the text");
    }
    INDArray captionBefore =
        before[3].get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
    INDArray captionAfter =
        after[3].get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all());
    for (int at = 0; at <= 2; at++) {
      assertTrue(
          captionBefore.getColumn(at).equalsWithEps(captionAfter.getColumn(at), 1e-12),
          "position " + at + " reads only the words before it");
    }
    assertTrue(
        !captionBefore.getColumn(3).equalsWithEps(captionAfter.getColumn(3), 1e-6),
        "position 3 reads the word at position 2");
    // Whether a record comes with its caption (new ones to caption have none) changes nothing.
    INDArray presence = features[features.length - 1].dup();
    presence.getColumn(s.modalities().indexOf(ModelInputs.TEXT)).assign(0);
    features[features.length - 1] = presence;
    INDArray[] withoutFlag = g.output(false, features, masks);
    for (int t = 0; t < 4; t++) {
      assertTrue(withoutFlag[t].equalsWithEps(after[t], 1e-12), "task " + t + " and the text flag");
    }
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(
      strings = {
        "model.fusion=concat",
        "model.fusion=attention",
        "model.wide=true",
        "model.fuse=[tabular, image]"
      })
  void retrievalGradientsThroughBothEncodersMatchFiniteDifferences(String setting) {
    FeaturizerState s = TestBatches.stateWithRetrieval();
    ComputationGraph g =
        checkedGraph(
            s,
            "model.textEmbedding=4",
            "model.imageFilters=[2]",
            "model.imageHidden=3",
            "model.trunk=[3]",
            "model.fusionDim=4",
            "model.retrievalDim=3",
            "model.retrievalTemperature=0.5",
            setting);
    if (setting.startsWith("model.fuse=")) {
      assertEquals(
          List.of("tabular_dense0", "image_dense", ModelInputs.PRESENCE),
          g.getConfiguration().getVertexInputs().get("fusion"),
          "the trunk reads the table and the image, not the text");
    }
    MultiDataSet b = BatchBuilder.build(TestBatches.retrievalExamples(s, 6, 5, true));
    INDArray[] out = g.output(false, doubles(b.getFeatures()), doubles(b.getFeaturesMaskArrays()));
    assertArrayEquals(new long[] {6, 6}, out[3].shape(), "the two projections side by side");
    assertEquals(
        List.of("text_pool"),
        g.getConfiguration()
            .getVertexInputs()
            .get(GraphBuilder.projectionName("match", ModelInputs.TEXT)),
        "the text side reads the text encoder, below the fusion");
    assertTrue(
        gradientsPass(g, b),
        "analytic and numeric gradients agree with a retrieval task, " + setting);
  }

  @Test
  void aModalityThatNoTaskReadsGetsNoEncoderAndTheRestTrains() {
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.fuse=[image]"));
    ComputationGraph g = GraphBuilder.build(state(), config.model(), config.train(), 1);
    var vertices = g.getConfiguration().getVertices().keySet();
    assertTrue(vertices.contains("image_dense"), vertices.toString());
    assertTrue(
        vertices.stream().noneMatch(v -> v.startsWith("tabular_") || v.startsWith("text_")),
        "the table and the text are read by nothing: " + vertices);
    MultiDataSet b = batch(state(), 16, 4);
    INDArray[] before = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    b.getFeatures(0).assign(7); // the table: unread
    INDArray[] after = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    assertEquals(before[1], after[1], "the table does not reach the heads");
    assertThirtyStepsLowerTheScore(g, batch(state(), 16, 4), 0.9, "image only: ");
  }

  @Test
  void aRetrievalOnlyModelHasNoTrunkAndLearnsToPairItsBatch() throws java.io.IOException {
    FeaturizerState full = TestBatches.stateWithRetrieval();
    FeaturizerState s =
        withModalitiesAndTasks(
            full, List.of(ModelInputs.TEXT, ModelInputs.IMAGE), List.of(full.tasks().get(3)));
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.retrievalDim=8"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 3);
    assertTrue(
        g.getConfiguration().getVertices().keySet().stream().noneMatch(v -> v.startsWith("trunk")),
        "no trunk without a task that reads it");
    List<org.mtlspark.prep.feature.Example> examples = new java.util.ArrayList<>();
    for (org.mtlspark.prep.feature.Example e : TestBatches.retrievalExamples(full, 16, 9, false)) {
      examples.add(
          new org.mtlspark.prep.feature.Example(
              e.key(),
              new float[0],
              e.tokens(),
              e.tokenMask(),
              e.pixels(),
              e.ids(),
              new float[] {1, 1},
              new float[][] {e.labels()[3]},
              new float[] {1}));
    }
    MultiDataSet b = BatchBuilder.build(examples);
    assertThirtyStepsLowerTheScore(g, b, 0.5, "retrieval only: ");
    ComputationGraph back = saveAndLoad(g);
    assertEquals(g.score(b), back.score(b), 1e-5, "the loss and its temperature are saved");
  }

  @Test
  void aTokenOnlyModelOnDataWithOtherModalitiesReadsTheTextAlone() {
    // A single-task model of a token task on data that also has a table (bench quality's
    // single-task models do this): the table gets no encoder and its input goes unread.
    FeaturizerState full = TestBatches.stateWithTokens();
    FeaturizerState s =
        withModalitiesAndTasks(full, full.modalities(), List.of(full.tasks().get(3)))
            .withTokens(true, false, false);
    ComputationGraph g =
        checkedGraph(s, "model.textEncoder=bilstm", "model.textEmbedding=4", "model.textHidden=2");
    var vertices = g.getConfiguration().getVertices().keySet();
    assertTrue(
        vertices.stream()
            .noneMatch(
                v -> v.startsWith("tabular_") || v.startsWith("trunk") || v.equals("text_pool")),
        "only the text encoder and the tags' head: " + vertices);
    assertEquals(
        List.of(ModelInputs.TABULAR),
        GraphBuilder.unreadModalities(s, ConfigLoader.load(List.of(), List.of()).model()),
        "training says which modality goes unread");
    List<org.mtlspark.prep.feature.Example> examples = new java.util.ArrayList<>();
    for (org.mtlspark.prep.feature.Example e : TestBatches.tokenExamples(full, 8, 5, false)) {
      examples.add(TestBatches.onlyTask(e, 3));
    }
    MultiDataSet b = BatchBuilder.build(examples, new boolean[] {true});
    INDArray before =
        g.output(false, doubles(b.getFeatures()), doubles(b.getFeaturesMaskArrays()))[0];
    b.getFeatures(0).assign(7); // the table
    assertEquals(
        before,
        g.output(false, doubles(b.getFeatures()), doubles(b.getFeaturesMaskArrays()))[0],
        "the table does not reach the tags");
    assertTrue(gradientsPass(g, b), "analytic and numeric gradients agree");
  }

  static MultiDataSet tokenBatch(FeaturizerState s, int n, long seed) {
    return BatchBuilder.build(
        TestBatches.tokenExamples(s, n, seed, true), BatchBuilder.perToken(s.tasks()));
  }

  @Test
  void aTokenOnlyModelOverTextsOfHundredsOfTokensTrainsAndPadsNothingIntoItsLoss()
      throws java.io.IOException {
    FeaturizerState s = TestBatches.stateWithTokens();
    FeaturizerState tokensOnly =
        new FeaturizerState(
                List.of(ModelInputs.TEXT),
                List.of(),
                List.of(),
                List.of(),
                false,
                List.of(),
                List.of(),
                List.of(),
                1,
                300,
                s.vocabulary(),
                1,
                1,
                List.of(s.tasks().get(3)))
            .withTokens(true, false, false);
    MtlConfig config =
        ConfigLoader.load(List.of(), List.of("model.textEncoder=bilstm", "model.textHidden=8"));
    ComputationGraph g = GraphBuilder.build(tokensOnly, config.model(), config.train(), 3);
    // Texts of 300 and of 2 tokens, every token tagged O (index 2); the rest padding.
    int positions = 300;
    List<org.mtlspark.prep.feature.Example> examples = new java.util.ArrayList<>();
    for (int length : new int[] {300, 2}) {
      float[] tokens = new float[positions];
      float[] mask = new float[positions];
      float[] tags = new float[3 * positions];
      for (int at = 0; at < length; at++) {
        tokens[at] = 3 + at % 3;
        mask[at] = 1;
        tags[2 * positions + at] = 1;
      }
      examples.add(
          new org.mtlspark.prep.feature.Example(
              "t" + length,
              new float[0],
              tokens,
              mask,
              new float[0],
              new float[0],
              new float[] {1},
              new float[][] {tags},
              new float[] {1}));
    }
    MultiDataSet b = BatchBuilder.build(examples, new boolean[] {true});
    double before = g.score(b);
    // Tags written on the short text's padding positions (masked) change nothing.
    MultiDataSet padded = BatchBuilder.build(examples, new boolean[] {true});
    padded
        .getLabels(0)
        .get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(1),
            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(2, positions))
        .assign(1);
    assertEquals(before, g.score(padded), 1e-9 * before, "the padding is not in the loss");
    for (int i = 0; i < 20; i++) {
      g.fit(b);
    }
    double after = g.score(b);
    assertTrue(Double.isFinite(after) && after < 0.5 * before, "score " + before + " -> " + after);
    INDArray[] out = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    assertEquals(
        2,
        Nd4j.argMax(
                out[0].get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(299)),
                0)
            .getInt(0),
        "the 300th token is O");
    ComputationGraph loaded = saveAndLoad(g);
    assertEquals(out[0], loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0]);
  }

  @Test
  void eachIdColumnHasItsOwnEmbeddingTableAndTheOutputFollowsTheIndex() throws java.io.IOException {
    FeaturizerState s = TestBatches.stateWithIds();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.idEmbedding=5"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 2);
    INDArray table = g.getLayer(GraphBuilder.ID_EMBEDDING).getParam("W");
    assertArrayEquals(
        new long[] {6 + 4, 5},
        table.shape(),
        "per column its vocabulary and the unknown index, by the embedding width");
    MultiDataSet b = batch(s, 8, 6);
    int ids = s.inputs().indexOf(ModelInputs.IDS);
    INDArray in = b.getFeatures(ids);
    for (int r = 0; r < 8; r++) {
      in.putScalar(r, 0, r < 4 ? 3 : 1); // users 3 and 1
      in.putScalar(r, 1, 3); // item 3, whose row in the one table is 6 + 3 = 9
    }
    INDArray[] before = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    // User 3's embedding (row 3) reaches rows 0-3 only; row 3 of the item block (9) all of them.
    table.getRow(3).addi(1);
    INDArray[] after = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    for (int r = 0; r < 8; r++) {
      double diff = before[0].getRow(r).sub(after[0].getRow(r)).amaxNumber().doubleValue();
      if (r < 4) {
        assertTrue(diff > 1e-6, "row " + r + " has user 3");
      } else {
        assertEquals(0.0, diff, 1e-7, "row " + r + " has user 1");
      }
    }
    table.getRow(9).addi(1);
    INDArray[] itemMoved = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays());
    for (int r = 0; r < 8; r++) {
      assertTrue(
          after[0].getRow(r).sub(itemMoved[0].getRow(r)).amaxNumber().doubleValue() > 1e-6,
          "row " + r + " has item 3");
    }
    ComputationGraph loaded = saveAndLoad(g);
    assertEquals(
        itemMoved[0],
        loaded.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0],
        "the same after save and load");
    MultiDataSet train = batch(s, 16, 7);
    double score = g.score(train);
    for (int i = 0; i < 30; i++) {
      g.fit(train);
    }
    assertTrue(g.score(train) < 0.9 * score, "trains: " + score + " -> " + g.score(train));
  }
}
