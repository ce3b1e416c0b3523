package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.workers.TestBatches;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

class TaskTowersTest {

  /** sum_t ||W_t - mean(W)||^2 over the towers of a TaskTowers weight [towers, in, width]. */
  static double spread(INDArray w) {
    INDArray rows = w.dup('c').reshape('c', w.size(0), w.length() / w.size(0));
    double n = rows.subRowVector(rows.mean(0)).norm2Number().doubleValue();
    return n * n;
  }

  /** Two tower layers (shared input, then blocked) for three regression tasks. */
  static ComputationGraph graph(double mu) {
    ComputationGraphConfiguration.GraphBuilder b =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "towers0",
                new TaskTowers.Builder()
                    .towers(3)
                    .width(4)
                    .sharedInput(true)
                    .mu(mu)
                    .nIn(5)
                    .activation(Activation.TANH)
                    .build(),
                "in")
            .addLayer(
                "towers1",
                new TaskTowers.Builder()
                    .towers(3)
                    .width(2)
                    .sharedInput(false)
                    .mu(mu)
                    .activation(Activation.SIGMOID)
                    .build(),
                "towers0");
    for (int t = 0; t < 3; t++) {
      b.addVertex("tower" + t, new SubsetVertex(2 * t, 2 * t + 1), "towers1");
      b.addLayer(
          "out" + t,
          new OutputLayer.Builder(new LossMSE())
              .nIn(2)
              .nOut(1)
              .activation(Activation.IDENTITY)
              .build(),
          "tower" + t);
    }
    ComputationGraph g =
        new ComputationGraph(
            b.setOutputs("out0", "out1", "out2")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(5))
                .build());
    g.init();
    for (String layer : List.of("towers0", "towers1")) {
      g.getLayer(layer)
          .getParam(TaskTowers.BIAS)
          .assign(
              Nd4j.rand(DataType.DOUBLE, 1, g.getLayer(layer).getParam(TaskTowers.BIAS).length())
                  .subi(0.5));
    }
    return g;
  }

  static INDArray[] labels() {
    Nd4j.getRandom().setSeed(3);
    return new INDArray[] {
      Nd4j.rand(DataType.DOUBLE, 6, 1),
      Nd4j.rand(DataType.DOUBLE, 6, 1),
      Nd4j.rand(DataType.DOUBLE, 6, 1)
    };
  }

  @Test
  void gradientsMatchFiniteDifferencesWithAndWithoutThePull() {
    for (double mu : new double[] {0.0, 0.7}) {
      ComputationGraph g = graph(mu);
      Nd4j.getRandom().setSeed(4);
      INDArray in = Nd4j.rand(DataType.DOUBLE, 6, 5).subi(0.5).muli(2);
      assertTrue(
          GradientChecks.passes(
              new GradientCheckUtil.GraphConfig()
                  .net(g)
                  .inputs(new INDArray[] {in})
                  .labels(labels())),
          "analytic and numeric gradients of the towers agree, mu " + mu);
    }
  }

  @Test
  void eachTowerReadsItsOwnBlockAndFeedsOnlyItsTask() {
    ComputationGraph g = graph(0);
    INDArray in = Nd4j.rand(DataType.DOUBLE, 4, 5);
    INDArray[] before = g.output(in);
    // Changing tower 1's weights in both layers changes task 1 and nothing else.
    for (String layer : List.of("towers0", "towers1")) {
      INDArray w = g.getLayer(layer).getParam(TaskTowers.WEIGHTS);
      w.get(
              org.nd4j.linalg.indexing.NDArrayIndex.point(1),
              org.nd4j.linalg.indexing.NDArrayIndex.all(),
              org.nd4j.linalg.indexing.NDArrayIndex.all())
          .muli(-2);
    }
    INDArray[] after = g.output(in);
    assertEquals(before[0], after[0]);
    assertEquals(before[2], after[2]);
    assertTrue(before[1].sub(after[1]).amaxNumber().doubleValue() > 1e-6);
  }

  @Test
  void thePenaltyIsMuTimesTheSpreadOfTheTowers() {
    ComputationGraph g = graph(0.7);
    double expected =
        0.7
            * (spread(g.getLayer("towers0").getParam(TaskTowers.WEIGHTS))
                + spread(g.getLayer("towers1").getParam(TaskTowers.WEIGHTS)));
    assertTrue(expected > 0.01);
    assertEquals(expected, g.calcRegularizationScore(true), 1e-9);
    assertEquals(0.0, graph(0).calcRegularizationScore(true), 0.0);
  }

  static FeaturizerState state() {
    return TestBatches.state();
  }

  /** Trains the product's soft-sharing graph with plain SGD; returns the first tower layer's spread before and after. */
  static double[] spreadBeforeAndAfterTraining(double mu) {
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.sharing=soft",
                "model.softSharingMu=" + mu,
                "train.updater=sgd",
                "train.learningRate=0.01"));
    ComputationGraph g = GraphBuilder.build(state(), config.model(), config.train(), 8);
    double before = spread(g.getLayer("towers0").getParam(TaskTowers.WEIGHTS));
    MultiDataSet batch = BatchBuilder.build(TestBatches.examples(state(), 32, 9, true));
    for (int i = 0; i < 40; i++) {
      g.fit(batch);
    }
    return new double[] {before, spread(g.getLayer("towers0").getParam(TaskTowers.WEIGHTS))};
  }

  @Test
  void aLargeMuDrivesTheTowersTogether() {
    double[] s = spreadBeforeAndAfterTraining(10);
    assertTrue(s[1] < 0.01 * s[0], "spread " + s[0] + " -> " + s[1]);
  }

  @Test
  void muZeroLeavesTheTowersIndependent() {
    double[] s = spreadBeforeAndAfterTraining(0);
    assertTrue(s[1] > 0.9 * s[0], "spread " + s[0] + " -> " + s[1]);
  }

  @Test
  void thePullSurvivesConfigurationJsonAndModelSaveLoad() throws IOException {
    ComputationGraph g = graph(0.7);
    assertEquals(
        g.getConfiguration(),
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(g, bytes, true);
    ComputationGraph loaded =
        ModelSerializer.restoreComputationGraph(
            new ByteArrayInputStream(bytes.toByteArray()), true);
    TaskTowers conf = (TaskTowers) loaded.getLayer("towers1").conf().getLayer();
    assertEquals(0.7, conf.mu());
    assertTrue(conf.getRegularizationByParam(TaskTowers.WEIGHTS).contains(new TowerPull(0.7, 3)));
    assertEquals(g.calcRegularizationScore(true), loaded.calcRegularizationScore(true), 1e-12);
    INDArray in = Nd4j.rand(DataType.DOUBLE, 3, 5);
    for (int t = 0; t < 3; t++) {
      assertEquals(g.output(in)[t], loaded.output(in)[t]);
    }
  }

  @Test
  void theTowersAreViewsOfTheNetworksParameters() {
    ComputationGraph g = graph(0);
    g.params().assign(0.25);
    assertEquals(
        0.25, g.getLayer("towers1").getParam(TaskTowers.WEIGHTS).meanNumber().doubleValue(), 0.0);
    g.getLayer("towers0").getParam(TaskTowers.BIAS).assign(-1);
    assertEquals(
        -12, g.params().sumNumber().doubleValue() - 0.25 * (g.params().length() - 12), 1e-9);
  }

  /**
   * A table as the only input (as in attrition.csv: 94 tabular features, three tasks) puts the
   * towers' weights where ND4J's point index returned an empty last tower; every tower is its
   * [in, width] matrix and the network trains.
   */
  @Test
  void everyTowerWorksWhenTheTableIsTheOnlyInput() {
    FeaturizerState full = TestBatches.state();
    List<String> numeric = new ArrayList<>();
    for (int i = 0; i < 47; i++) {
      numeric.add("x" + i);
    }
    FeaturizerState table =
        new FeaturizerState(
            List.of(ModelInputs.TABULAR),
            numeric,
            Collections.nCopies(47, 0.0),
            Collections.nCopies(47, 1.0),
            true,
            List.of(),
            List.of(),
            List.of(),
            2,
            1,
            List.of(),
            1,
            1,
            full.tasks());
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.sharing=soft"));
    ComputationGraph g = GraphBuilder.build(table, config.model(), config.train(), 1);
    for (String layer : new String[] {"towers0", "towers1"}) {
      INDArray w = g.getLayer(layer).getParam(TaskTowers.WEIGHTS);
      for (int t = 0; t < 3; t++) {
        assertArrayEquals(
            new long[] {w.size(1), w.size(2)},
            TaskTowersLayer.tower(w, t).shape(),
            layer + " tower " + t);
      }
    }
    Nd4j.getRandom().setSeed(3);
    INDArray classes = Nd4j.zeros(DataType.FLOAT, 32, 4);
    for (int i = 0; i < 32; i++) {
      classes.putScalar(i, i % 4, 1);
    }
    org.nd4j.linalg.dataset.MultiDataSet batch =
        new org.nd4j.linalg.dataset.MultiDataSet(
            new INDArray[] {Nd4j.randn(DataType.FLOAT, 32, 94), Nd4j.ones(DataType.FLOAT, 32, 1)},
            new INDArray[] {
              Nd4j.randn(DataType.FLOAT, 32, 1),
              classes,
              Nd4j.rand(DataType.FLOAT, 32, 1).gt(0.5).castTo(DataType.FLOAT)
            });
    double before = g.score(batch);
    for (int i = 0; i < 20; i++) {
      g.fit(batch);
    }
    assertTrue(g.score(batch) < before, before + " -> " + g.score(batch));
  }
}
