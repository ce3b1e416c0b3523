package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    ComputationGraphConfiguration.GraphBuilder b =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "experts",
                new MixtureOfExperts.Builder()
                    .experts(3)
                    .tasks(2)
                    .width(4)
                    .nIn(5)
                    .activation(Activation.TANH)
                    .build(),
                "in");
    for (int t = 0; t < 2; t++) {
      b.addVertex("mix" + t, new SubsetVertex(4 * t, 4 * t + 3), "experts");
      b.addLayer(
          "out" + t,
          new OutputLayer.Builder(new LossMSE())
              .nIn(4)
              .nOut(1)
              .activation(Activation.IDENTITY)
              .build(),
          "mix" + t);
    }
    ComputationGraph g =
        new ComputationGraph(
            b.setOutputs("out0", "out1")
                .setInputTypes(org.deeplearning4j.nn.conf.inputs.InputType.feedForward(5))
                .build());
    g.init();
    Nd4j.getRandom().setSeed(7);
    for (String bias : List.of(MixtureOfExperts.EXPERT_BIAS, MixtureOfExperts.GATE_BIAS)) {
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
}
