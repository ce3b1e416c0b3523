package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.model.LeNet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.model.ImportedEncoder;
import org.mtlspark.workers.run.EncoderFiles;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.train.TrainJob;

/**
 * Image encoders from elsewhere on Spark, on the built-in data (16 x 16 grey images): a Keras
 * model file (workers' test resources, made by their script) and a deeplearning4j-zoo LeNet with
 * weights DL4J saved each become the image encoder of a run, stay frozen through training, saving
 * and reloading, and the model evaluates and scores; a layer the file lacks is refused before any
 * model is written.
 */
class ImportedEncodersIT {
  static final String KERAS = "../workers/src/test/resources/keras/functional.h5";
  @TempDir static Path dir;
  static SparkSession spark;
  static String data;
  static String prep;

  static MtlConfig config(String... settings) {
    List<String> all = new java.util.ArrayList<>(List.of("generate.rows=600", "train.epochs=2"));
    all.addAll(List.of(settings));
    return ConfigLoader.load(List.of(), all);
  }

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    data = dir.resolve("data").toString();
    prep = dir.resolve("prep").toString();
    MtlConfig config = config();
    new GenerateJob(spark).run(config, data);
    new PrepJob(spark).run(config, data, prep);
  }

  /** Trains {@code config} into {@code name}; the imported layers there equal the encoder's own. */
  static String trainFrozen(MtlConfig config, String name) throws IOException {
    String run = dir.resolve(name).toString();
    new TrainJob(spark).run(config, prep, run);
    Configuration hadoop = new Configuration();
    ImportedEncoder encoder =
        EncoderFiles.read(
            hadoop,
            config.train().pretrained().image(),
            Manifest.read(hadoop, prep).featurizers(),
            config.run().seed());
    ComputationGraph alone = encoder.alone(Manifest.read(hadoop, prep).featurizers());
    ComputationGraph trained = ModelFiles.read(hadoop, run + "/model.zip");
    assertFalse(encoder.layers().isEmpty());
    for (String layer : encoder.layers()) {
      double moved =
          trained
              .getLayer(layer)
              .params()
              .sub(alone.getLayer(layer).params())
              .amaxNumber()
              .doubleValue();
      // Exactly: frozen layers are left out of the workers' rounds, not merely trained at a rate
      // of 0 (Adam's step at a rate of 0 still moves a value by float rounding).
      assertEquals(0.0, moved, layer + " imported and frozen throughout");
    }
    assertTrue(
        trained.getVertex(ImportedEncoder.INPUT) != null, "the images reach it through its vertex");
    EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, "test", 2);
    assertTrue(
        report.tasks().values().stream().allMatch(t -> t.beatsBaseline()),
        "every task beats its trivial baseline: " + report.tasks());
    String scored = dir.resolve(name + "-scored").toString();
    ScoreJob.Summary summary = new ScoreJob(spark).run(run, data, scored, ScoreJob.Format.PARQUET);
    assertEquals(summary.scored(), spark.read().parquet(scored + "/predictions").count());
    assertTrue(summary.scored() > 500, "every labelled record and more: " + summary.scored());
    return run;
  }

  @Test
  void aKerasModelIsTheFrozenImageEncoderThroughTrainingSavingAndScoring() throws IOException {
    trainFrozen(
        config(
            "train.pretrained.image.keras=" + KERAS,
            "train.pretrained.image.layer=features",
            "train.pretrained.frozenEpochs=99"),
        "keras");
  }

  @Test
  void aSequentialKerasModelCutAfterItsFlattenIsTheFrozenImageEncoder() throws IOException {
    trainFrozen(
        config(
            "train.pretrained.image.keras=" + KERAS.replace("functional", "sequential"),
            "train.pretrained.image.layer=embedding",
            "train.pretrained.image.normalise=tf",
            "train.pretrained.frozenEpochs=99"),
        "sequential");
  }

  @Test
  void aZooArchitectureWithWeightsDl4jSavedIsTheFrozenImageEncoder() throws IOException {
    MultiLayerNetwork lenet =
        (MultiLayerNetwork)
            LeNet.builder().numClasses(3).inputShape(new int[] {1, 16, 16}).seed(5).build().init();
    Path weights = dir.resolve("lenet.zip");
    ModelSerializer.writeModel(lenet, weights.toFile(), false);
    String cut = lenet.getLayer(3).conf().getLayer().getLayerName();
    trainFrozen(
        config(
            "train.pretrained.image.zoo=lenet",
            "train.pretrained.image.weights=" + weights,
            "train.pretrained.image.layer=" + cut,
            "train.pretrained.frozenEpochs=99",
            "train.epochs=1"),
        "zoo");
  }

  @Test
  void aLayerTheFileLacksIsRefusedAndNoModelIsWritten() {
    MtlConfig config =
        config("train.pretrained.image.keras=" + KERAS, "train.pretrained.image.layer=conv_c");
    String run = dir.resolve("nolayer").toString();
    ConfigException e =
        assertThrows(ConfigException.class, () -> new TrainJob(spark).run(config, prep, run));
    assertTrue(
        e.getMessage().contains(KERAS + " has no layer \"conv_c\"; its layers: [conv_a,"),
        e.getMessage());
    assertFalse(Files.exists(Path.of(run, "model.zip")));
  }
}
