package org.mtlspark.operate.score;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;

/**
 * What scoring needs of a trained model, read from a run folder of {@code train} or a registry
 * version: its configuration, the featurizer state saved in its manifest, and the network (checked
 * as every model file is: nothing in it runs); with the three files as they were read, so that a
 * copy written later is of the model loaded, whatever the folder holds by then.
 */
public record TrainedModel(
    String dir,
    MtlConfig config,
    FeaturizerState state,
    ComputationGraph graph,
    Map<String, byte[]> files) {

  /** The files a model folder holds. */
  public static final List<String> FILES =
      List.of(RunFolder.MODEL_FILE, Manifest.FILE_NAME, RunFolder.CONFIG_FILE);

  /** Reads the model in {@code dir}; a clear error naming the first file it lacks. */
  public static TrainedModel read(Configuration hadoop, String dir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String file : FILES) {
      if (!HadoopFiles.exists(hadoop, dir + "/" + file)) {
        throw new IOException(
            "no " + file + " in " + dir + ": give a run folder of `train` or a registry version");
      }
      files.put(
          file,
          file.equals(RunFolder.MODEL_FILE)
              ? ModelFiles.bytes(hadoop, dir + "/" + file)
              : HadoopFiles.readString(hadoop, dir + "/" + file).getBytes(StandardCharsets.UTF_8));
    }
    MtlConfig config =
        ConfigLoader.fromYaml(
            new String(files.get(RunFolder.CONFIG_FILE), StandardCharsets.UTF_8),
            dir + "/" + RunFolder.CONFIG_FILE);
    FeaturizerState state = Manifest.read(hadoop, dir).featurizers();
    ComputationGraph graph =
        ModelFiles.restore(
            files.get(RunFolder.MODEL_FILE), dir + "/" + RunFolder.MODEL_FILE, false);
    return new TrainedModel(dir, config, state, graph, files);
  }

  /** Writes the three files as they were read into the folder {@code to}. */
  public void writeTo(Configuration hadoop, String to) throws IOException {
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      HadoopFiles.writeBytes(hadoop, to + "/" + f.getKey(), f.getValue());
    }
  }
}
