package org.mtlspark.workers.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mtlspark.config.ConfigWriter;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchWriter;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.model.GraphBuilder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the multi-task graph on a prepared data set and writes the run folder: {@code model.zip}
 * (DL4J, with updater state), {@code manifest.json} (the data contract the model was trained on),
 * {@code config.yaml} (the resolved configuration) and {@code training.json} (per-epoch scores).
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
  public static final String MODEL_FILE = "model.zip";
  public static final String CONFIG_FILE = "config.yaml";
  public static final String TRAINING_FILE = "training.json";
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;

  public TrainJob(SparkSession spark) {
    this.spark = spark;
  }

  /** What training left in the run folder, besides the model. */
  public record TrainingLog(String prep, String startedAt, double seconds, long trainExamples,
      List<Map<String, Object>> epochs) {}

  public ComputationGraph run(MtlConfig config, String prepDir, String runDir) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Manifest manifest = Manifest.read(hadoop, prepDir);
    if (manifest.batchSize() != config.prep().batchSize()) {
      LOG.info("training with the prepared batch size {} (prep.batchSize in this configuration is {})",
          manifest.batchSize(), config.prep().batchSize());
    }
    List<String> batches = batchFiles(hadoop, prepDir, manifest, "train");
    ComputationGraph graph = GraphBuilder.build(manifest.featurizers(), config.model(), config.train(),
        config.run().seed());
    LOG.info("training {} parameters on {} batches of {} ({} examples) with {} workers, averaging every {} batches",
        graph.numParams(), batches.size(), manifest.batchSize(), manifest.splits().get("train").examples(),
        config.train().workers(), config.train().averagingFrequency());

    String startedAt = Instant.now().toString();
    long started = System.nanoTime();
    List<Map<String, Object>> epochs = new ArrayList<>();
    GraphTrainer trainer = trainer(JavaSparkContext.fromSparkContext(spark.sparkContext()), config.train(),
        manifest.batchSize(), config.run().seed());
    graph = trainer.fit(graph, batches, (epoch, g, score) -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("epoch", epoch + 1);
      e.put("score", score);
      e.put("seconds", (System.nanoTime() - started) / 1e9);
      epochs.add(e);
    });
    double seconds = (System.nanoTime() - started) / 1e9;

    ByteArrayOutputStream model = new ByteArrayOutputStream();
    ModelSerializer.writeModel(graph, model, true);
    HadoopFiles.writeBytes(hadoop, runDir + "/" + MODEL_FILE, model.toByteArray());
    manifest.write(hadoop, runDir);
    HadoopFiles.writeString(hadoop, runDir + "/" + CONFIG_FILE, ConfigWriter.toYaml(config));
    HadoopFiles.writeString(hadoop, runDir + "/" + TRAINING_FILE, JSON.writeValueAsString(
        new TrainingLog(prepDir, startedAt, seconds, manifest.splits().get("train").examples(), epochs)));
    LOG.info("trained in {}s; model, manifest and resolved configuration written to {}",
        String.format("%.1f", seconds), runDir);
    return graph;
  }

  /** The trainer the configuration asks for. */
  public static GraphTrainer trainer(JavaSparkContext jsc, TrainConfig train, int batchSize, long seed) {
    return switch (train.engine()) {
      case RESIDENT -> new ResidentAveragingTrainer(jsc, train.workers(), train.averagingFrequency(), train.epochs(),
          seed);
      case DL4J -> new ParameterAveragingTrainer(jsc, train, batchSize, seed);
    };
  }

  /** The batch files of one split of a prepared data set, in name order. */
  public static List<String> batchFiles(Configuration hadoop, String prepDir, Manifest manifest, String split)
      throws IOException {
    Manifest.SplitSummary s = manifest.splits().get(split);
    if (s == null) {
      throw new IOException("the manifest in " + prepDir + " has no split " + split);
    }
    List<String> files = HadoopFiles.listDataFiles(hadoop, prepDir + "/" + s.path()).stream()
        .filter(f -> f.endsWith(BatchWriter.EXTENSION)).toList();
    if (files.size() != s.batches()) {
      throw new IOException(prepDir + "/" + s.path() + " holds " + files.size() + " batch files, the manifest says "
          + s.batches() + ": the prepared data set is incomplete or was changed");
    }
    return files;
  }
}
