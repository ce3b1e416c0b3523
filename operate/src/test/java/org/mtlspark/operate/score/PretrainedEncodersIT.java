package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.ModelVersion;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.model.PretrainedEncoders;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.train.TrainJob;

/**
 * A model trained by this project as the encoders of another, on Spark: the built-in data's image
 * and text encoders of one run start a second run (frozen throughout), which keeps them through
 * training, saving and reloading, evaluates and scores; an encoder of another shape, or a folder
 * without a model, is refused naming the problem, and no model is written.
 */
class PretrainedEncodersIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static String data;
  static String prep;
  static String first;

  static MtlConfig config(String... settings) {
    List<String> all = new java.util.ArrayList<>(List.of("generate.rows=600", "train.epochs=2"));
    all.addAll(List.of(settings));
    return ConfigLoader.load(List.of(), all);
  }

  @BeforeAll
  static void trainTheFirstModel() throws IOException {
    spark = SharedSpark.get();
    data = dir.resolve("data").toString();
    prep = dir.resolve("prep").toString();
    first = dir.resolve("first").toString();
    MtlConfig config = config("train.epochs=1");
    new GenerateJob(spark).run(config, data);
    new PrepJob(spark).run(config, data, prep);
    new TrainJob(spark).run(config, prep, first);
  }

  @Test
  void theEncodersOfAnotherRunStayFrozenThroughTrainingAndTheModelScores() throws IOException {
    MtlConfig config =
        config(
            "train.pretrained.from=" + first,
            "train.pretrained.parts=[image, text]",
            "train.pretrained.frozenEpochs=99");
    String run = dir.resolve("second").toString();
    new TrainJob(spark).run(config, prep, run);
    Configuration hadoop = new Configuration();
    ComputationGraph source = ModelFiles.read(hadoop, first + "/model.zip");
    ComputationGraph trained = ModelFiles.read(hadoop, run + "/model.zip");
    var layers = PretrainedEncoders.layers(config.model(), List.of("image", "text"));
    assertTrue(layers.contains("image_conv0") && layers.contains("text_embedding"), "" + layers);
    for (String name : layers) {
      double moved =
          trained
              .getLayer(name)
              .params()
              .sub(source.getLayer(name).params())
              .amaxNumber()
              .doubleValue();
      assertTrue(moved < 1e-4, name + " frozen throughout, moved by " + moved);
    }
    assertTrue(
        trained
                .getLayer("trunk0")
                .params()
                .sub(source.getLayer("trunk0").params())
                .amaxNumber()
                .doubleValue()
            > 1e-3,
        "the trunk is this run's own");
    EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, "test", 2);
    assertTrue(report.tasks().get("churn").metrics().get("auc") > 0.6, "" + report.tasks());
    ScoreJob.Summary scored =
        new ScoreJob(spark)
            .run(run, data, dir.resolve("scored").toString(), ScoreJob.Format.PARQUET);
    assertEquals(
        scored.scored(),
        spark.read().parquet(dir.resolve("scored/predictions").toString()).count());
    assertTrue(scored.scored() > 500, "every labelled record and more: " + scored.scored());
  }

  @Test
  void aRegistryVersionGivesItsEncodersAsARunFolderDoes() throws IOException {
    ModelRegistry registry =
        new ModelRegistry(new Configuration(), dir.resolve("registry").toString());
    String version =
        registry
            .register(
                "first",
                first,
                "first-run",
                new ModelVersion.DataDescription(data, Map.of(), Map.of(), 600, List.of(), "test"),
                0.5,
                null)
            .version();
    String from = registry.versionDir("first", version).toString();
    MtlConfig config =
        config(
            "train.pretrained.from=" + from,
            "train.pretrained.parts=[image]",
            "train.pretrained.frozenEpochs=99",
            "train.epochs=1");
    String run = dir.resolve("from-registry").toString();
    new TrainJob(spark).run(config, prep, run);
    Configuration hadoop = new Configuration();
    ComputationGraph source = ModelFiles.read(hadoop, first + "/model.zip");
    ComputationGraph trained = ModelFiles.read(hadoop, run + "/model.zip");
    for (String name : PretrainedEncoders.layers(config.model(), List.of("image"))) {
      assertEquals(
          source.getLayer(name).params(),
          trained.getLayer(name).params(),
          name + " from the registry version, frozen");
    }
  }

  @Test
  void anEncoderOfAnotherShapeOrAFolderWithoutAModelIsRefusedAndNoModelIsWritten() {
    MtlConfig other =
        config(
            "train.pretrained.from=" + first,
            "train.pretrained.parts=[image]",
            "model.imageFilters=[3]");
    String run = dir.resolve("other").toString();
    ConfigException e =
        assertThrows(ConfigException.class, () -> new TrainJob(spark).run(other, prep, run));
    assertTrue(
        e.getMessage().contains("image_conv0 parameter W is [")
            && e.getMessage().contains("in " + first + " and [3, 1, 3, 3] here"),
        e.getMessage());
    assertFalse(Files.exists(Path.of(run, "model.zip")));

    MtlConfig nowhere = config("train.pretrained.from=" + data, "train.pretrained.parts=[image]");
    String run2 = dir.resolve("nowhere").toString();
    ConfigException missing =
        assertThrows(ConfigException.class, () -> new TrainJob(spark).run(nowhere, prep, run2));
    assertTrue(
        missing.getMessage().contains(data + " holds no model.zip: give a run folder of train"),
        missing.getMessage());
    assertFalse(Files.exists(Path.of(run2, "model.zip")));
  }
}
