package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

class MixtureOfExpertsTest {

  /** Three experts of width 4 over 5 inputs, mixed for two regression tasks. */
  static ComputationGraph graph() {
    return graph(
        new MixtureOfExperts.Builder().experts(3).tasks(2).width(4).nIn(5),
        5,
        2,
        4,
        MixtureOfExperts.EXPERT_BIAS,
        MixtureOfExperts.GATE_BIAS);
  }

  /**
   * {@code layer} (tanh) over {@code in} inputs, its {@code outputs} mixtures of {@code width}
   * each under a regression head, double precision, no updates; the named biases random.
   */
  static ComputationGraph graph(
      MixtureOfExperts.Builder layer, int in, int outputs, int width, String... biases) {
    ComputationGraphConfiguration.GraphBuilder b =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer("experts", layer.activation(Activation.TANH).build(), "in");
    String[] names = new String[outputs];
    for (int k = 0; k < outputs; k++) {
      b.addVertex("mix" + k, new SubsetVertex(width * k, width * k + width - 1), "experts");
      names[k] = "out" + k;
      b.addLayer(
          names[k],
          new OutputLayer.Builder(new LossMSE())
              .nIn(width)
              .nOut(1)
              .activation(Activation.IDENTITY)
              .build(),
          "mix" + k);
    }
    ComputationGraph g =
        new ComputationGraph(
            b.setOutputs(names)
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(in))
                .build());
    g.init();
    Nd4j.getRandom().setSeed(7);
    for (String bias : biases) {
      INDArray p = g.getLayer("experts").getParam(bias);
      p.assign(Nd4j.rand(DataType.DOUBLE, p.shape()).subi(0.5));
    }
    return g;
  }

  static INDArray input() {
    Nd4j.getRandom().setSeed(4);
    return Nd4j.rand(DataType.DOUBLE, 6, 5).subi(0.5).muli(2);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ComputationGraph g = graph();
    Nd4j.getRandom().setSeed(3);
    INDArray[] labels = {Nd4j.rand(DataType.DOUBLE, 6, 1), Nd4j.rand(DataType.DOUBLE, 6, 1)};
    assertTrue(
        GradientChecks.passes(
            new GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(new INDArray[] {input()})
                .labels(labels)),
        "analytic and numeric gradients of experts and gates agree");
  }

  @Test
  void eachTaskIsItsGatesMixtureOfTheSameExperts() {
    ComputationGraph g = graph();
    INDArray x = input();
    INDArray mixed = g.feedForward(x, false).get("experts");
    MixtureOfExperts conf = (MixtureOfExperts) g.getLayer("experts").conf().getLayer();
    INDArray ew = g.getLayer("experts").getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray eb = g.getLayer("experts").getParam(MixtureOfExperts.EXPERT_BIAS);
    INDArray gw = g.getLayer("experts").getParam(MixtureOfExperts.GATE_WEIGHTS);
    INDArray gb = g.getLayer("experts").getParam(MixtureOfExperts.GATE_BIAS);
    for (int r = 0; r < x.rows(); r++) {
      INDArray row = x.getRow(r).reshape(1, 5);
      for (int t = 0; t < conf.tasks(); t++) {
        // The gate by hand: a softmax over the three experts' logits.
        double[] logits = new double[3];
        double sum = 0;
        for (int e = 0; e < 3; e++) {
          logits[e] =
              row.mmul(
                          gw.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.point(e))
                              .reshape(5, 1))
                      .getDouble(0)
                  + gb.getDouble(0, t * 3 + e);
          sum += Math.exp(logits[e]);
        }
        for (int j = 0; j < 4; j++) {
          double expected = 0;
          for (int e = 0; e < 3; e++) {
            double z =
                row.mmul(
                            ew.get(NDArrayIndex.point(e), NDArrayIndex.all(), NDArrayIndex.point(j))
                                .reshape(5, 1))
                        .getDouble(0)
                    + eb.getDouble(0, e * 4 + j);
            expected += Math.exp(logits[e]) / sum * Math.tanh(z);
          }
          assertEquals(expected, mixed.getDouble(r, t * 4 + j), 1e-9, "row " + r + ", task " + t);
        }
      }
    }
  }

  @Test
  void aTasksGateChangesOnlyThatTasksOutput() {
    ComputationGraph g = graph();
    INDArray x = input();
    INDArray[] before = g.output(x);
    g.getLayer("experts")
        .getParam(MixtureOfExperts.GATE_WEIGHTS)
        .get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all())
        .muli(-3);
    INDArray[] after = g.output(x);
    assertEquals(before[0], after[0]);
    assertTrue(before[1].sub(after[1]).amaxNumber().doubleValue() > 1e-6);
  }

  @Test
  void theLayerSurvivesConfigurationJson() {
    ComputationGraph g = graph();
    assertEquals(
        g.getConfiguration(),
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
  }

  /**
   * A progressive-extraction level: two tasks with two experts of their own each and one shared
   * expert of width 3, reading three blocks of 4 inputs (task 0's, task 1's, the shared one), with
   * a shared output; a regression head on each of the three outputs.
   */
  static ComputationGraph level() {
    return graph(
        new MixtureOfExperts.Builder()
            .experts(1)
            .taskExperts(2)
            .tasks(2)
            .width(3)
            .blockedInput(true)
            .sharedOutput(true)
            .nIn(12),
        12,
        3,
        3,
        MixtureOfExperts.EXPERT_BIAS,
        MixtureOfExperts.GATE_BIAS,
        MixtureOfExperts.SHARED_GATE_BIAS);
  }

  static INDArray levelInput() {
    Nd4j.getRandom().setSeed(4);
    return Nd4j.rand(DataType.DOUBLE, 6, 12).subi(0.5).muli(2);
  }

  @Test
  void aProgressiveLevelsGradientsMatchFiniteDifferences() {
    ComputationGraph g = level();
    Nd4j.getRandom().setSeed(3);
    INDArray[] labels = {
      Nd4j.rand(DataType.DOUBLE, 6, 1),
      Nd4j.rand(DataType.DOUBLE, 6, 1),
      Nd4j.rand(DataType.DOUBLE, 6, 1)
    };
    assertTrue(
        GradientChecks.passes(
            new GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(new INDArray[] {levelInput()})
                .labels(labels)),
        "analytic and numeric gradients of task and shared experts and gates agree");
  }

  @Test
  void aProgressiveLevelMixesEachTasksOwnExpertsWithTheSharedOnesAndTheSharedGateMixesAll() {
    ComputationGraph g = level();
    INDArray x = levelInput();
    INDArray y = g.feedForward(x, false).get("experts");
    var layer = g.getLayer("experts");
    INDArray ew = layer.getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray eb = layer.getParam(MixtureOfExperts.EXPERT_BIAS);
    INDArray gw = layer.getParam(MixtureOfExperts.GATE_WEIGHTS);
    INDArray gb = layer.getParam(MixtureOfExperts.GATE_BIAS);
    INDArray sw = layer.getParam(MixtureOfExperts.SHARED_GATE_WEIGHTS);
    INDArray sb = layer.getParam(MixtureOfExperts.SHARED_GATE_BIAS);
    // Experts 0, 1 are task 0's (block 0), 2, 3 task 1's (block 1), 4 the shared one (block 2).
    int[] blockOf = {0, 0, 1, 1, 2};
    int[][] mixes = {{0, 1, 4}, {2, 3, 4}, {0, 1, 2, 3, 4}};
    for (int r = 0; r < x.rows(); r++) {
      double[][] h = new double[5][3];
      for (int e = 0; e < 5; e++) {
        for (int j = 0; j < 3; j++) {
          double z = eb.getDouble(0, e * 3 + j);
          for (int i = 0; i < 4; i++) {
            z += x.getDouble(r, blockOf[e] * 4 + i) * ew.getDouble(e, i, j);
          }
          h[e][j] = Math.tanh(z);
        }
      }
      for (int k = 0; k < 3; k++) {
        int n = mixes[k].length;
        double[] logits = new double[n];
        double sum = 0;
        for (int m = 0; m < n; m++) {
          logits[m] = k < 2 ? gb.getDouble(0, k * 3 + m) : sb.getDouble(0, m);
          for (int i = 0; i < 4; i++) {
            logits[m] +=
                x.getDouble(r, k * 4 + i) * (k < 2 ? gw.getDouble(k, i, m) : sw.getDouble(0, i, m));
          }
          sum += Math.exp(logits[m]);
        }
        for (int j = 0; j < 3; j++) {
          double expected = 0;
          for (int m = 0; m < n; m++) {
            expected += Math.exp(logits[m]) / sum * h[mixes[k][m]][j];
          }
          assertEquals(expected, y.getDouble(r, k * 3 + j), 1e-9, "row " + r + ", output " + k);
        }
      }
    }
  }

  @Test
  void aTasksOwnExpertsAndInputBlockReachOnlyItsOutputAndTheSharedOne() {
    ComputationGraph g = level();
    INDArray x = levelInput();
    INDArray[] before = g.output(x);
    INDArray other = x.dup();
    other.get(NDArrayIndex.all(), NDArrayIndex.interval(4, 8)).muli(-2);
    INDArray[] moved = g.output(other);
    assertEquals(before[0], moved[0], "task 0's output does not read task 1's block");
    assertTrue(before[1].sub(moved[1]).amaxNumber().doubleValue() > 1e-6);
    assertTrue(
        before[2].sub(moved[2]).amaxNumber().doubleValue() > 1e-6, "the shared gate mixes all");
    g.getLayer("experts")
        .getParam(MixtureOfExperts.EXPERT_WEIGHTS)
        .get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all())
        .muli(-3);
    INDArray[] after = g.output(x);
    assertEquals(before[1], after[1], "task 0's expert is not task 1's");
    assertTrue(before[0].sub(after[0]).amaxNumber().doubleValue() > 1e-6);
    assertTrue(before[2].sub(after[2]).amaxNumber().doubleValue() > 1e-6);
  }

  @Test
  void aProgressiveLevelSurvivesConfigurationJsonAndAnMmoeLayerKeepsItsLayout() {
    ComputationGraph g = level();
    assertEquals(
        g.getConfiguration(),
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
    // A layer saved before task experts existed reads back as the same mixture of experts.
    String json = graph().getConfiguration().toJson();
    assertTrue(!json.contains("taskExperts") || json.contains("\"taskExperts\" : 0"), json);
    String old =
        json.replaceAll(",\\s*\"taskExperts\"\\s*:\\s*0", "")
            .replaceAll(",\\s*\"blockedInput\"\\s*:\\s*false", "")
            .replaceAll(",\\s*\"sharedOutput\"\\s*:\\s*false", "");
    assertTrue(!old.contains("taskExperts") && !old.contains("sharedOutput"), old);
    ComputationGraph loaded = new ComputationGraph(ComputationGraphConfiguration.fromJson(old));
    loaded.init(graph().params(), false);
    assertEquals(graph().output(input())[1], loaded.output(input())[1]);
  }
}
