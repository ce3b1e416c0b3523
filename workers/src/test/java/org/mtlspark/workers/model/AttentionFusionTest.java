package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

class AttentionFusionTest {
  static final int TOKENS = 3;
  static final int DIM = 4;
  static final int HEADS = 2;

  /** Tokens and flags in, attention fusion, a tanh layer, a regression head. */
  static ComputationGraph graph(DataType type) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(11)
            .dataType(type)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("tokens", "flags")
            .addVertex("merged", new MergeVertex(), "tokens", "flags")
            .addLayer(
                "att",
                new AttentionFusion.Builder().tokens(TOKENS).heads(HEADS).nOut(DIM).build(),
                "merged")
            .addLayer(
                "hidden",
                new DenseLayer.Builder().nIn(DIM).nOut(3).activation(Activation.TANH).build(),
                "att")
            .addLayer(
                "out",
                new OutputLayer.Builder(new LossMSE())
                    .nIn(3)
                    .nOut(2)
                    .activation(Activation.IDENTITY)
                    .build(),
                "hidden")
            .setOutputs("out")
            .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    // Non-zero biases, so the check covers them.
    g.getLayer("att").getParam(AttentionFusion.OUT_BIAS).assign(Nd4j.rand(type, 1, DIM).subi(0.5));
    return g;
  }

  /** Rows: all present, one absent, two absent, none present, and all present again. */
  static INDArray flags(DataType type) {
    return Nd4j.createFromArray(
            new double[][] {{1, 1, 1}, {1, 0, 1}, {0, 0, 1}, {0, 0, 0}, {1, 1, 1}})
        .castTo(type);
  }

  static INDArray tokens(DataType type, long seed) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(type, 5, TOKENS * DIM).subi(0.5).muli(3);
  }

  @Test
  void gradientsMatchFiniteDifferencesWithAbsentTokens() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray labels = Nd4j.rand(DataType.DOUBLE, 5, 2);
    assertTrue(
        GradientChecks.passes(
            new GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(new INDArray[] {tokens(DataType.DOUBLE, 1), flags(DataType.DOUBLE)})
                .labels(new INDArray[] {labels})),
        "analytic and numeric gradients of attention fusion agree");
  }

  @Test
  void theOutputIsMultiHeadScaledDotProductAttentionAveragedOverPresentTokens() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray tokens = tokens(DataType.DOUBLE, 2);
    INDArray flags = flags(DataType.DOUBLE);
    Map<String, INDArray> acts = g.feedForward(new INDArray[] {tokens, flags}, false);
    INDArray out = acts.get("att");
    var layer = g.getLayer("att");
    double[][] wq = layer.getParam(AttentionFusion.QUERY).toDoubleMatrix();
    double[][] wk = layer.getParam(AttentionFusion.KEY).toDoubleMatrix();
    double[][] wv = layer.getParam(AttentionFusion.VALUE).toDoubleMatrix();
    double[][] wo = layer.getParam(AttentionFusion.OUT).toDoubleMatrix();
    double[] bo = layer.getParam(AttentionFusion.OUT_BIAS).toDoubleVector();
    int k = DIM / HEADS;
    for (int r = 0; r < 5; r++) {
      double[][] x = new double[TOKENS][DIM];
      for (int t = 0; t < TOKENS; t++) {
        for (int j = 0; j < DIM; j++) {
          x[t][j] = tokens.getDouble(r, t * DIM + j);
        }
      }
      double[][] q = times(x, wq);
      double[][] kk = times(x, wk);
      double[][] v = times(x, wv);
      double[] expected = new double[DIM];
      int present = 0;
      for (int t = 0; t < TOKENS; t++) {
        if (flags.getDouble(r, t) == 0) {
          continue;
        }
        present++;
        double[] mixed = new double[DIM];
        for (int h = 0; h < HEADS; h++) {
          double[] w = new double[TOKENS];
          double sum = 0;
          for (int s = 0; s < TOKENS; s++) {
            if (flags.getDouble(r, s) == 0) {
              continue;
            }
            double dot = 0;
            for (int j = h * k; j < (h + 1) * k; j++) {
              dot += q[t][j] * kk[s][j];
            }
            w[s] = Math.exp(dot / Math.sqrt(k));
            sum += w[s];
          }
          for (int s = 0; s < TOKENS; s++) {
            for (int j = h * k; j < (h + 1) * k; j++) {
              mixed[j] += w[s] / sum * v[s][j];
            }
          }
        }
        for (int j = 0; j < DIM; j++) {
          double y = bo[j];
          for (int i = 0; i < DIM; i++) {
            y += mixed[i] * wo[i][j];
          }
          expected[j] += y;
        }
      }
      for (int j = 0; j < DIM; j++) {
        double e = present == 0 ? 0 : expected[j] / present;
        assertEquals(e, out.getDouble(r, j), 1e-9, "row " + r + " column " + j);
      }
    }
  }

  static double[][] times(double[][] a, double[][] b) {
    double[][] out = new double[a.length][b[0].length];
    for (int i = 0; i < a.length; i++) {
      for (int j = 0; j < b[0].length; j++) {
        for (int l = 0; l < b.length; l++) {
          out[i][j] += a[i][l] * b[l][j];
        }
      }
    }
    return out;
  }

  @Test
  void anAbsentTokenTakesNoPartButAPresentOneDoes() {
    ComputationGraph g = graph(DataType.FLOAT);
    INDArray tokens = tokens(DataType.FLOAT, 3);
    INDArray flags = flags(DataType.FLOAT);
    INDArray before = g.output(tokens, flags)[0].dup();
    INDArray changed = tokens.dup();
    // Token 1 is present in row 0 and absent in rows 1..3.
    for (int r = 0; r <= 3; r++) {
      for (int j = DIM; j < 2 * DIM; j++) {
        changed.putScalar(r, j, 7.0);
      }
    }
    INDArray after = g.output(changed, flags)[0];
    for (int r = 1; r <= 3; r++) {
      assertEquals(
          0.0, before.getRow(r).sub(after.getRow(r)).amaxNumber().doubleValue(), 1e-6, "row " + r);
    }
    assertTrue(
        before.getRow(0).sub(after.getRow(0)).amaxNumber().doubleValue() > 1e-4,
        "the same change to a present token changes the output");
  }

  @Test
  void survivesConfigurationJsonAndModelSaveLoad() throws IOException {
    ComputationGraph g = graph(DataType.FLOAT);
    assertEquals(
        g.getConfiguration(),
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson()));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(g, bytes, true);
    ComputationGraph loaded =
        ModelSerializer.restoreComputationGraph(
            new ByteArrayInputStream(bytes.toByteArray()), true);
    AttentionFusion conf = (AttentionFusion) loaded.getLayer("att").conf().getLayer();
    assertEquals(TOKENS, conf.tokens());
    assertEquals(HEADS, conf.heads());
    INDArray tokens = tokens(DataType.FLOAT, 4);
    assertEquals(
        g.output(tokens, flags(DataType.FLOAT))[0],
        loaded.output(tokens, flags(DataType.FLOAT))[0]);
  }
}
