package org.mtlspark.workers.run;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mtlspark.prep.io.HadoopFiles;

/**
 * DL4J model files (with updater state) on any Hadoop filesystem; written atomically, and read only
 * through {@link ModelArchive}'s checks.
 */
public final class ModelFiles {
  /** The largest model file read: the largest Java array. */
  static final long MAX_FILE_BYTES = Integer.MAX_VALUE - 16;

  private ModelFiles() {}

  public static void write(Configuration conf, String path, ComputationGraph graph)
      throws IOException {
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

  /**
   * The model in the file at {@code path}, after {@link ModelArchive} has checked it: a model file
   * that holds anything mtlspark does not write is refused before DL4J sees it.
   */
  public static ComputationGraph read(Configuration conf, String path) throws IOException {
    return restore(bytes(conf, path), path, true);
  }

  /**
   * The network in the model file at {@code path}, a graph or a stack of layers (a
   * MultiLayerNetwork), without its updater state, after {@link ModelArchive} has checked it.
   */
  public static org.deeplearning4j.nn.api.Model readAny(Configuration conf, String path)
      throws IOException {
    byte[] checked = ModelArchive.checked(bytes(conf, path), path);
    try (java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(checked)) {
      return ModelArchive.isGraph(checked)
          ? ModelSerializer.restoreComputationGraph(in, false)
          : ModelSerializer.restoreMultiLayerNetwork(in, false);
    }
  }

  /** The bytes of the model file at {@code path}, unchecked; refused past {@link #MAX_FILE_BYTES}. */
  public static byte[] bytes(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    if (!fs.exists(p)) {
      throw new IOException("no model file " + path);
    }
    long length = fs.getFileStatus(p).getLen();
    if (length > MAX_FILE_BYTES) {
      throw new IOException(
          "model file "
              + path
              + " is "
              + length
              + " bytes, more than the "
              + MAX_FILE_BYTES
              + " a model file can hold; refusing to load it");
    }
    try (InputStream in = fs.open(p)) {
      return in.readNBytes((int) length);
    }
  }

  /**
   * The model in {@code bytes} (as {@link #write} or {@link #forScoring} made them; {@code source}
   * names them in errors), checked by {@link ModelArchive} first; with its updater state when
   * {@code withUpdater}.
   */
  public static ComputationGraph restore(byte[] bytes, String source, boolean withUpdater)
      throws IOException {
    byte[] checked = ModelArchive.checked(bytes, source);
    return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(checked), withUpdater);
  }
}
