package org.mtlspark.operate.score;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;

/**
 * What scoring needs of a trained model, read from a run folder of {@code train} or a registry
 * version: its configuration, the featurizer state saved in its manifest, and the network (checked
 * as every model file is: nothing in it runs).
 */
public record TrainedModel(
    String dir, MtlConfig config, FeaturizerState state, ComputationGraph graph) {

  /** The files a model folder holds. */
  public static final List<String> FILES =
      List.of(RunFolder.MODEL_FILE, Manifest.FILE_NAME, RunFolder.CONFIG_FILE);

  /** Reads the model in {@code dir}; a clear error naming the first file it lacks. */
  public static TrainedModel read(Configuration hadoop, String dir) throws IOException {
    for (String file : FILES) {
      if (!HadoopFiles.exists(hadoop, dir + "/" + file)) {
        throw new IOException(
            "no " + file + " in " + dir + ": give a run folder of `train` or a registry version");
      }
    }
    MtlConfig config =
        ConfigLoader.fromYaml(
            HadoopFiles.readString(hadoop, dir + "/" + RunFolder.CONFIG_FILE),
            dir + "/" + RunFolder.CONFIG_FILE);
    FeaturizerState state = Manifest.read(hadoop, dir).featurizers();
    return new TrainedModel(dir, config, state, EvaluateJob.loadModel(hadoop, dir));
  }
}
