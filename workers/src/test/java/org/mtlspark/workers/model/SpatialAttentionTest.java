package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

class SpatialAttentionTest {
  static final int QUERY = 3;
  static final int CHANNELS = 2;
  static final int CELLS = 4;
  static final int DIM = 4;
  static final int HEADS = 2;
  static final int ROWS = 5;

  /** A query and a feature map in, spatial attention, a tanh layer, a regression head. */
  static ComputationGraph graph(DataType type) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(13)
            .dataType(type)
            .updater(new NoOp())
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("question", "cells")
            .addVertex("merged", new MergeVertex(), "question", "cells")
            .addLayer(
                "att",
                new SpatialAttention.Builder()
                    .queryWidth(QUERY)
                    .channels(CHANNELS)
                    .map(2, CELLS / 2)
                    .heads(HEADS)
                    .nOut(DIM)
                    .build(),
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
    return g;
  }

  static INDArray random(DataType type, long seed, int columns) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(type, ROWS, columns).subi(0.5).muli(3);
  }

  @Test
  void gradientsMatchFiniteDifferences() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray labels = Nd4j.rand(DataType.DOUBLE, ROWS, 2);
    assertTrue(
        GradientChecks.passes(
            new GradientCheckUtil.GraphConfig()
                .net(g)
                .inputs(
                    new INDArray[] {
                      random(DataType.DOUBLE, 1, QUERY),
                      random(DataType.DOUBLE, 2, CHANNELS * CELLS)
                    })
                .labels(new INDArray[] {labels})),
        "analytic and numeric gradients of spatial attention agree");
  }

  @Test
  void theOutputIsEachHeadsQueryAttendingOverTheCellsWithTheirPositions() {
    ComputationGraph g = graph(DataType.DOUBLE);
    INDArray question = random(DataType.DOUBLE, 3, QUERY);
    INDArray cells = random(DataType.DOUBLE, 4, CHANNELS * CELLS);
    INDArray out = g.feedForward(new INDArray[] {question, cells}, false).get("att");
    var layer = g.getLayer("att");
    double[][] p = layer.getParam(SpatialAttention.POSITION).toDoubleMatrix();
    double[][] wq = layer.getParam(SpatialAttention.QUERY).toDoubleMatrix();
    double[][] wk = layer.getParam(SpatialAttention.KEY).toDoubleMatrix();
    double[][] wv = layer.getParam(SpatialAttention.VALUE).toDoubleMatrix();
    INDArray weights =
        SpatialAttention.weights(layer, Nd4j.hstack(question, cells).castTo(DataType.DOUBLE));
    assertArrayEquals(new long[] {ROWS, HEADS, CELLS}, weights.shape());
    int k = DIM / HEADS;
    for (int r = 0; r < ROWS; r++) {
      // Cell j's token: channel ch at column ch * CELLS + j, plus its position row.
      double[][] x = new double[CELLS][CHANNELS];
      for (int j = 0; j < CELLS; j++) {
        for (int ch = 0; ch < CHANNELS; ch++) {
          x[j][ch] = cells.getDouble(r, ch * CELLS + j) + p[j][ch];
        }
      }
      double[] q =
          AttentionFusionTest.times(new double[][] {question.getRow(r).toDoubleVector()}, wq)[0];
      double[][] kk = AttentionFusionTest.times(x, wk);
      double[][] v = AttentionFusionTest.times(x, wv);
      for (int h = 0; h < HEADS; h++) {
        double[] e = new double[CELLS];
        double sum = 0;
        for (int j = 0; j < CELLS; j++) {
          double dot = 0;
          for (int i = h * k; i < (h + 1) * k; i++) {
            dot += q[i] * kk[j][i];
          }
          e[j] = Math.exp(dot / Math.sqrt(k));
          sum += e[j];
        }
        for (int i = h * k; i < (h + 1) * k; i++) {
          double expected = 0;
          for (int j = 0; j < CELLS; j++) {
            expected += e[j] / sum * v[j][i];
          }
          assertEquals(expected, out.getDouble(r, i), 1e-9, "row " + r + " column " + i);
        }
        for (int j = 0; j < CELLS; j++) {
          assertEquals(
              e[j] / sum, weights.getDouble(r, h, j), 1e-9, "weight " + r + "," + h + "," + j);
        }
      }
    }
  }

  @Test
  void theSameContentInAnotherCellIsWeighedByItsPosition() {
    ComputationGraph g = graph(DataType.DOUBLE);
    var layer = g.getLayer("att");
    layer.getParam(SpatialAttention.POSITION).assign(Nd4j.rand(DataType.DOUBLE, CELLS, CHANNELS));
    // Every cell holds the same channels: only the positions tell them apart.
    INDArray cells = Nd4j.ones(DataType.DOUBLE, ROWS, CHANNELS * CELLS);
    INDArray in = Nd4j.hstack(random(DataType.DOUBLE, 5, QUERY), cells);
    INDArray w = SpatialAttention.weights(layer, in);
    assertTrue(
        w.max(2).sub(w.min(2)).minNumber().doubleValue() > 1e-3,
        "positions make equal cells weigh differently: " + w);
    layer.getParam(SpatialAttention.POSITION).assign(0);
    INDArray flat = SpatialAttention.weights(layer, in);
    assertEquals(
        0.0,
        flat.sub(1.0 / CELLS).amaxNumber().doubleValue(),
        1e-12,
        "without positions equal cells share the attention evenly");
  }

  @Test
  void refusesAnInputOfTheWrongWidth() {
    ComputationGraph g = graph(DataType.FLOAT);
    var e =
        assertThrows(
            RuntimeException.class,
            () -> SpatialAttention.weights(g.getLayer("att"), Nd4j.zeros(DataType.FLOAT, 2, 7)));
    assertTrue(e.getMessage().contains("a query of 3, then 2 channels of 4 cells"), e.getMessage());
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
    SpatialAttention conf = (SpatialAttention) loaded.getLayer("att").conf().getLayer();
    assertEquals(QUERY, conf.queryWidth());
    assertEquals(CHANNELS, conf.channels());
    assertEquals(CELLS, conf.cells());
    assertEquals(2, conf.rows());
    assertEquals(HEADS, conf.heads());
    INDArray question = random(DataType.FLOAT, 6, QUERY);
    INDArray cells = random(DataType.FLOAT, 7, CHANNELS * CELLS);
    assertEquals(g.output(question, cells)[0], loaded.output(question, cells)[0]);
  }
}
