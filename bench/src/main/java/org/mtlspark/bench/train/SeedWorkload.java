package org.mtlspark.bench.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The seed document's two-task model: 10 inputs -> 50 -> ReLU -> 20 shared; heads: one regression
 * (y1 = sum(x)) and one 3-class (y2 = floor(sum(x[0..4]) / 1.7) capped at 2); x ~ U(0,1)^10;
 * Adam 1e-3.
 */
public final class SeedWorkload {
  private SeedWorkload() {}

  public static Workload create(
      int rows, int batchSize, long seed, String dir, Configuration hadoop) throws IOException {
    List<MultiDataSet> train = batches(rows, batchSize, new Random(seed));
    List<String> files = write(train, dir, hadoop);
    List<MultiDataSet> holdout =
        batches(Math.max(batchSize, rows / 10), batchSize, new Random(seed + 1));
    String peer = dir + "/peer";
    writeRows(train, peer + "/train.f32", hadoop);
    writeRows(holdout, peer + "/holdout.f32", hadoop);
    List<TaskEncoding> tasks =
        List.of(
            new TaskEncoding("y1", TaskType.REGRESSION, "y1", 1, List.of(), List.of(), 0, 1, rows),
            new TaskEncoding(
                "y2",
                TaskType.MULTICLASS,
                "y2",
                1,
                List.of("0", "1", "2"),
                List.of(1L, 1L, 1L),
                0,
                1,
                rows));
    return new Workload(
        "seed",
        "10 -> 50 -> 20 shared; heads 1 (MSE) and 3 (softmax); " + rows + " rows",
        SeedWorkload::network,
        files,
        holdout,
        tasks,
        batchSize,
        peer);
  }

  /**
   * The batches as rows for the PyTorch peer: little-endian float32, 12 per row (x0..x9, y1, the
   * class of y2), in batch order.
   */
  static void writeRows(List<MultiDataSet> batches, String file, Configuration hadoop)
      throws IOException {
    Path path = new Path(file);
    try (OutputStream out = path.getFileSystem(hadoop).create(path, true)) {
      for (MultiDataSet b : batches) {
        float[][] x = b.getFeatures(0).toFloatMatrix();
        float[][] y1 = b.getLabels(0).toFloatMatrix();
        long[] y2 = b.getLabels(1).argMax(1).toLongVector();
        ByteBuffer rows = ByteBuffer.allocate(x.length * 12 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < x.length; i++) {
          for (float v : x[i]) {
            rows.putFloat(v);
          }
          rows.putFloat(y1[i][0]);
          rows.putFloat(y2[i]);
        }
        out.write(rows.array());
      }
    }
  }

  static ComputationGraph network(long seed) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(new Adam(1e-3))
            .weightInit(WeightInit.XAVIER)
            .graphBuilder()
            .addInputs("x")
            .addLayer(
                "hidden",
                new DenseLayer.Builder().nIn(10).nOut(50).activation(Activation.RELU).build(),
                "x")
            .addLayer(
                "shared",
                new DenseLayer.Builder().nIn(50).nOut(20).activation(Activation.RELU).build(),
                "hidden")
            .addLayer(
                "y1",
                new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                    .nIn(20)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build(),
                "shared")
            .addLayer(
                "y2",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nIn(20)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "shared")
            .setOutputs("y1", "y2")
            .build();
    ComputationGraph g = new ComputationGraph(conf);
    g.init();
    return g;
  }

  static List<MultiDataSet> batches(int rows, int batchSize, Random r) {
    List<MultiDataSet> out = new ArrayList<>();
    for (int start = 0; start + batchSize <= rows; start += batchSize) {
      float[][] x = new float[batchSize][10];
      float[][] y1 = new float[batchSize][1];
      float[][] y2 = new float[batchSize][3];
      for (int i = 0; i < batchSize; i++) {
        double sum = 0;
        double sum5 = 0;
        for (int j = 0; j < 10; j++) {
          x[i][j] = r.nextFloat();
          sum += x[i][j];
          sum5 += j < 5 ? x[i][j] : 0;
        }
        y1[i][0] = (float) sum;
        y2[i][(int) Math.min(2, Math.floor(sum5 / 1.7))] = 1;
      }
      out.add(
          new org.nd4j.linalg.dataset.MultiDataSet(
              new org.nd4j.linalg.api.ndarray.INDArray[] {Nd4j.create(x)},
              new org.nd4j.linalg.api.ndarray.INDArray[] {Nd4j.create(y1), Nd4j.create(y2)}));
    }
    return out;
  }

  static List<String> write(List<MultiDataSet> batches, String dir, Configuration hadoop)
      throws IOException {
    List<String> files = new ArrayList<>();
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(hadoop);
    for (int i = 0; i < batches.size(); i++) {
      Path p = new Path(root, String.format("batch-%06d.mds", i));
      try (OutputStream out = fs.create(p, true)) {
        batches.get(i).save(out);
      }
      files.add(p.toString());
    }
    return files;
  }
}
