package org.mtlspark.workers.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mtlspark.prep.io.HadoopFiles;

/** DL4J model files (with updater state) on any Hadoop filesystem; written atomically. */
public final class ModelFiles {
  private ModelFiles() {}

  public static void write(Configuration conf, String path, ComputationGraph graph) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(graph, bytes, true);
    HadoopFiles.writeBytes(conf, path, bytes.toByteArray());
  }

  /** The model's bytes without its updater state, for broadcasting it to executors that only score. */
  public static byte[] forScoring(ComputationGraph graph) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      ModelSerializer.writeModel(graph, bytes, false);
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static ComputationGraph read(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    if (!p.getFileSystem(conf).exists(p)) {
      throw new IOException("no model file " + path);
    }
    try (InputStream in = p.getFileSystem(conf).open(p)) {
      return ModelSerializer.restoreComputationGraph(in, true);
    }
  }
}
