package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

class LossHuberTest {
  private static ComputationGraph graph(LossHuber loss) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(3)
            .dataType(DataType.DOUBLE)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("in")
            .addLayer(
                "hidden",
                new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(),
                "in")
            .addLayer(
                "out",
                new OutputLayer.Builder(loss)
                    .nIn(5)
                    .nOut(2)
                    .activation(Activation.IDENTITY)
                    .build(),
                "hidden")
            .setOutputs("out")
            .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  @Test
  void scoreIsQuadraticWithinDeltaAndLinearBeyondWeightedAndAveragedOverOutputs() {
    LossHuber loss = new LossHuber(1.0, Nd4j.createFromArray(new double[][] {{1, 2}}));
    INDArray labels = Nd4j.createFromArray(new double[][] {{0, 0}, {0, 0}});
    INDArray out = Nd4j.createFromArray(new double[][] {{0.5, 3}, {-2, 0}});
    // Row 0: 0.5^2/2 = 0.125 and 2 * (3 - 0.5) = 5; row 1: (2 - 0.5) = 1.5 and 0; each row / 2
    // outputs.
    INDArray perExample = loss.computeScoreArray(labels, out, new ActivationIdentity(), null);
    assertEquals((0.125 + 5) / 2, perExample.getDouble(0), 1e-12);
    assertEquals(1.5 / 2, perExample.getDouble(1), 1e-12);
    assertEquals(
        ((0.125 + 5) / 2 + 1.5 / 2) / 2,
        loss.computeScore(labels, out, new ActivationIdentity(), null, true),
        1e-12);
    INDArray grad = loss.computeGradient(labels, out, new ActivationIdentity(), null);
    // d/dout: residual clipped to [-1, 1], times the weight, over 2 outputs.
    assertEquals(0.5 / 2, grad.getDouble(0, 0), 1e-12);
    assertEquals(1.0 * 2 / 2, grad.getDouble(0, 1), 1e-12);
    assertEquals(-1.0 / 2, grad.getDouble(1, 0), 1e-12);
  }

  @Test
  void gradientsMatchFiniteDifferencesWithMaskedRows() {
    ComputationGraph g =
        graph(new LossHuber(0.3, Nd4j.createFromArray(new double[][] {{1.0, 0.5}})));
    INDArray in = Nd4j.rand(DataType.DOUBLE, 6, 4).subi(0.5).muli(4);
    // Labels far from and close to the initial outputs, so both branches of the loss are checked.
    INDArray labels =
        Nd4j.createFromArray(
            new double[][] {{2, -0.05}, {-1.5, 0.1}, {0.02, 3}, {0, 0}, {-3, 1}, {0.1, -0.1}});
    INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {1}, {0}, {1}, {1}, {0}});
    boolean ok =
        GradientChecks.passes(
            new GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(new INDArray[] {in})
                .labels(new INDArray[] {labels})
                .labelMask(new INDArray[] {mask}));
    assertTrue(ok, "analytic and numeric gradients of the Huber loss agree");
  }

  @Test
  void aMaskedRowGetsNoGradientAndOneOutputTakesItsWeight() {
    LossHuber loss = new LossHuber(1.0, Nd4j.createFromArray(new double[][] {{1.0}}));
    INDArray labels = Nd4j.createFromArray(new double[][] {{0}, {0}});
    INDArray out = Nd4j.createFromArray(new double[][] {{5}, {5}});
    INDArray grad =
        loss.computeGradient(
            labels, out, new ActivationIdentity(), Nd4j.createFromArray(new double[][] {{1}, {0}}));
    assertEquals(1.0, grad.getDouble(0, 0), 1e-12);
    assertEquals(0.0, grad.getDouble(1, 0), 0.0);
  }

  @Test
  void survivesConfigurationJsonAndModelSaveLoad() throws IOException {
    LossHuber loss = new LossHuber(0.7, Nd4j.createFromArray(new double[][] {{2.0, 3.0}}));
    ComputationGraph g = graph(loss);
    ComputationGraphConfiguration back =
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
    assertEquals(g.getConfiguration(), back);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(g, bytes, false);
    ComputationGraph loaded =
        ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()));
    OutputLayer out = (OutputLayer) loaded.getLayer("out").conf().getLayer();
    assertEquals(loss, out.getLossFn());
    assertEquals(0.7, ((LossHuber) out.getLossFn()).getDelta());
  }

  @Test
  void refusesANonPositiveDelta() {
    assertThrows(IllegalArgumentException.class, () -> new LossHuber(0, null));
  }
}
