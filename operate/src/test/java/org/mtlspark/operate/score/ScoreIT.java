package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.io.FileUtils;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Generated data prepared, trained and evaluated; then the same raw data scored with the run. */
class ScoreIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig config;
  static EvaluateJob.Report report;
  static ScoreJob.Summary summary;
  static Map<String, Row> predictions = new HashMap<>();

  @BeforeAll
  static void trainAndScore() throws IOException {
    spark = SharedSpark.get();
    config =
        ConfigLoader.load(
            List.of(), List.of("generate.rows=1500", "train.epochs=2", "prep.writeExamples=true"));
    new GenerateJob(spark).run(config, dir.resolve("data").toString());
    new PrepJob(spark).run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
    new TrainJob(spark).run(config, dir.resolve("prep").toString(), dir.resolve("run").toString());
    report =
        new EvaluateJob(spark)
            .run(dir.resolve("run").toString(), dir.resolve("prep").toString(), "test", 2);
    summary =
        new ScoreJob(spark)
            .run(
                dir.resolve("run").toString(),
                dir.resolve("data").toString(),
                dir.resolve("scored").toString(),
                ScoreJob.Format.PARQUET);
    for (Row r :
        spark.read().parquet(dir.resolve("scored/predictions").toString()).collectAsList()) {
      predictions.put(r.getString(0), r);
    }
  }

  @Test
  void everyRecordIsScoredOnceAndAccountedFor() throws IOException {
    Manifest prepared =
        Manifest.read(spark.sparkContext().hadoopConfiguration(), dir.resolve("prep").toString());
    assertEquals(prepared.counts().records(), summary.records());
    assertEquals(summary.scored(), predictions.size(), "one row per key");
    long scorable =
        summary.recordStatus().getOrDefault("usable", 0L)
            + summary.recordStatus().getOrDefault("no_labels", 0L);
    assertEquals(scorable, summary.scored());
    assertTrue(Files.size(dir.resolve("scored").resolve(ScoreJob.SUMMARY_FILE)) > 0);
    var tier = prepared.featurizers().tasks().get(1).classes();
    List<String> expected = new java.util.ArrayList<>(List.of("id", "spend", "tier"));
    tier.forEach(c -> expected.add("tier_p_" + c));
    expected.addAll(List.of("churn", "churn_probability"));
    assertEquals(expected, summary.columns());
  }

  @Test
  void theTestSplitGetsExactlyThePredictionsEvaluateScored() throws IOException {
    var hadoop = spark.sparkContext().hadoopConfiguration();
    Manifest prepared = Manifest.read(hadoop, dir.resolve("prep").toString());
    ComputationGraph graph = EvaluateJob.loadModel(hadoop, dir.resolve("run").toString());
    var spend = prepared.featurizers().tasks().get(0);
    int churnColumn = summary.columns().indexOf("churn_probability");
    // Each pack's examples, in batch order, from the Parquet file prep wrote beside it.
    int row = 0;
    int total = 0;
    double sse = 0;
    long n = 0;
    for (String pack : prepared.splits().get("test").files().keySet()) {
      String name = pack.substring(0, pack.indexOf('.'));
      List<Row> keys =
          spark
              .read()
              .parquet(dir.resolve("prep/examples/test/" + name + ".parquet").toString())
              .select("key", "label_spend", "mask_spend")
              .collectAsList();
      total += keys.size();
      row = 0;
      for (String ref :
          BatchFiles.references(hadoop, dir.resolve("prep/batches/test/" + pack).toString())) {
        MultiDataSet b = BatchFiles.read(hadoop, ref);
        // As evaluate scores (label masks zero the outputs of unlabelled rows; scoring has none).
        INDArray[] out = graph.output(false, b.getFeatures(), b.getFeaturesMaskArrays(), null);
        for (int i = 0; i < out[0].size(0) && row < keys.size(); i++) {
          Row scored = predictions.get(keys.get(row).getString(0));
          double expected = out[0].getDouble(i, 0) * spend.std() + spend.mean();
          assertEquals(
              expected,
              scored.getDouble(1),
              1e-5 * Math.max(1, Math.abs(expected)),
              "spend of " + scored);
          assertEquals(
              out[2].getDouble(i, 0), scored.getDouble(churnColumn), 1e-6, "churn of " + scored);
          if (keys.get(row).getFloat(2) > 0) {
            double y =
                ((Number) keys.get(row).getList(1).get(0)).doubleValue() * spend.std()
                    + spend.mean();
            sse += (scored.getDouble(1) - y) * (scored.getDouble(1) - y);
            n++;
          }
          row++;
        }
      }
      assertEquals(keys.size(), row, "every example of " + pack + " was compared");
    }
    assertEquals(prepared.splits().get("test").examples(), total);
    double rmse = Math.sqrt(sse / n);
    assertEquals(
        report.tasks().get("spend").metrics().get("rmse"),
        rmse,
        1e-4 * rmse,
        "the test RMSE from the scored rows is evaluate's");
  }

  @Test
  void newDataWithoutItsLabelSourceIsScoredAsCsv() throws IOException {
    Path data = dir.resolve("unlabelled");
    for (String source : List.of("tabular", "text", "images")) {
      FileUtils.copyDirectory(
          dir.resolve("data").resolve(source).toFile(), data.resolve(source).toFile());
    }
    ScoreJob.Summary s =
        new ScoreJob(spark)
            .run(
                dir.resolve("run").toString(),
                data.toString(),
                dir.resolve("scored-csv").toString(),
                ScoreJob.Format.CSV);
    assertEquals(summary.scored(), s.scored(), "the same records, scored without labels");
    assertEquals(0L, s.recordStatus().getOrDefault("usable", 0L));
    List<Row> rows =
        spark
            .read()
            .option("header", "true")
            .csv(dir.resolve("scored-csv/predictions").toString())
            .collectAsList();
    for (Row one : rows.subList(0, 20)) {
      assertEquals(
          predictions.get(one.getString(0)).getString(2), one.getString(2), "the same tier class");
    }
  }

  @Test
  void anExistingOutputIsRefusedAndNothingIsWritten() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new ScoreJob(spark)
                    .run(
                        dir.resolve("run").toString(),
                        dir.resolve("data").toString(),
                        dir.resolve("scored").toString(),
                        ScoreJob.Format.PARQUET));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    IOException noModel =
        assertThrows(
            IOException.class,
            () ->
                new ScoreJob(spark)
                    .run(
                        dir.resolve("data").toString(),
                        dir.resolve("data").toString(),
                        dir.resolve("nothing").toString(),
                        ScoreJob.Format.PARQUET));
    assertTrue(noModel.getMessage().contains("model.zip"), noModel.getMessage());
    assertTrue(!Files.exists(dir.resolve("nothing")));
  }

  @Test
  void aScoreThatFailsOnItsDataLeavesNothingBesideItsOutput() throws IOException {
    Path data = dir.resolve("malformed");
    FileUtils.copyDirectory(dir.resolve("data").toFile(), data.toFile());
    List<String> bad =
        new java.util.ArrayList<>(List.of("id,age,income,visits,tenure,region,plan"));
    bad.addAll(java.util.Collections.nCopies(500, "not,a,row"));
    Files.write(data.resolve("tabular/part-99999.csv"), bad);
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new ScoreJob(spark)
                    .run(
                        dir.resolve("run").toString(),
                        data.toString(),
                        dir.resolve("failed").toString(),
                        ScoreJob.Format.PARQUET));
    assertTrue(e.getMessage().contains("more than prep.maxRejectFraction"), e.getMessage());
    assertTrue(e.getMessage().contains("the first: source tabular, file "), e.getMessage());
    try (var left = Files.list(dir)) {
      assertEquals(
          List.of(),
          left.map(p -> p.getFileName().toString())
              .filter(n -> n.equals("failed") || n.startsWith(".failed-"))
              .toList(),
          "nothing beside --out");
    }
  }

  /** The raw sources joined into one DataFrame by key, as a notebook would hand them to the model. */
  static org.apache.spark.sql.Dataset<Row> joinedSources(Path data) {
    var tabular =
        spark
            .read()
            .option("header", "true")
            .option("multiLine", "true")
            .csv(data.resolve("tabular").toString());
    var text = spark.read().json(data.resolve("text").toString());
    var images = spark.read().parquet(data.resolve("images").toString());
    return tabular
        .join(
            text,
            scala.collection.JavaConverters.asScalaBuffer(List.of("id")).toSeq(),
            "full_outer")
        .join(
            images,
            scala.collection.JavaConverters.asScalaBuffer(List.of("id")).toSeq(),
            "full_outer");
  }

  @Test
  void theSparkMlModelPredictsWhatScoreWroteForEveryRecordAndSurvivesAPipelineSaveAndLoad()
      throws IOException {
    MtlModel model = MtlModel.load(spark, dir.resolve("run").toString());
    var joined = joinedSources(dir.resolve("data"));
    // Saved and loaded as a stage of a pipeline, as Spark ML saves any model.
    var fitted =
        new org.apache.spark.ml.Pipeline()
            .setStages(new org.apache.spark.ml.PipelineStage[] {model})
            .fit(joined);
    fitted.write().save(dir.resolve("pipeline").toString());
    var first = org.apache.spark.ml.PipelineModel.load(dir.resolve("pipeline").toString());
    // Saved again over the folder it was loaded from: the model's files come from memory.
    first.write().overwrite().save(dir.resolve("pipeline").toString());
    var loaded = org.apache.spark.ml.PipelineModel.load(dir.resolve("pipeline").toString());
    assertTrue(loaded.stages()[0] instanceof MtlModel, "the stage comes back as an MtlModel");
    List<Row> rows = loaded.transform(joined).collectAsList();
    assertEquals(joined.count(), rows.size(), "one row out per row in");
    var tier = predictionsTier();
    int scored = 0;
    int partly = 0;
    for (Row r : rows) {
      String id = r.getAs("id");
      Row expected = predictions.get(id);
      String status = r.getAs("mtl_status");
      if (expected == null) {
        assertTrue(status.startsWith("not scored"), id + ": " + status);
        assertTrue(r.isNullAt(r.fieldIndex("spend_prediction")), id + " has no predictions");
        continue;
      }
      // The generated data holds malformed rows: score rejects them and scores the record without
      // that source's row, and so does the model, saying so.
      assertTrue(
          status.equals("scored") || status.startsWith("scored without "), id + ": " + status);
      scored++;
      partly += status.equals("scored") ? 0 : 1;
      // float32 outputs of batches made up differently: equal to about 1e-7 of the value.
      assertEquals(
          expected.getDouble(1),
          (double) r.getAs("spend_prediction"),
          1e-5 * Math.max(1, Math.abs(expected.getDouble(1))),
          "spend of " + id);
      assertEquals(expected.getString(2), r.getAs("tier_prediction"), "tier of " + id);
      org.apache.spark.ml.linalg.Vector p = r.getAs("tier_probability");
      assertEquals(tier.size(), p.size());
      for (int c = 0; c < tier.size(); c++) {
        assertEquals(
            expected.getDouble(expected.fieldIndex("tier_p_" + tier.get(c))), p.apply(c), 1e-6);
      }
      org.apache.spark.ml.linalg.Vector churn = r.getAs("churn_probability");
      assertEquals(
          expected.getDouble(expected.fieldIndex("churn_probability")), churn.apply(1), 1e-6);
      assertEquals(1.0, churn.apply(0) + churn.apply(1), 1e-12);
      assertEquals(expected.getString(expected.fieldIndex("churn")), r.getAs("churn_prediction"));
    }
    assertEquals(summary.scored(), scored, "every record score scored, and only those");
    assertTrue(partly > 0 && partly <= summary.rejected(), partly + " of " + summary.rejected());
  }

  private static List<String> predictionsTier() throws IOException {
    return Manifest.read(spark.sparkContext().hadoopConfiguration(), dir.resolve("prep").toString())
        .featurizers()
        .tasks()
        .get(1)
        .classes();
  }

  @Test
  void theSparkMlModelNamesWhatItCannotUse() throws IOException {
    MtlModel model = MtlModel.load(spark, dir.resolve("run").toString());
    var joined = joinedSources(dir.resolve("data"));
    IllegalArgumentException lacking =
        assertThrows(IllegalArgumentException.class, () -> model.transform(joined.drop("income")));
    assertTrue(lacking.getMessage().contains("lacks column(s) [income]"), lacking.getMessage());
    IllegalArgumentException taken =
        assertThrows(
            IllegalArgumentException.class,
            () -> model.transform(joined.withColumn("spend_prediction", joined.col("age"))));
    assertTrue(
        taken.getMessage().contains("already has a column spend_prediction"), taken.getMessage());
    // A cell that is no number: the record is scored without its tabular row, as score does.
    var bad =
        joined.withColumn(
            "income",
            org.apache
                .spark
                .sql
                .functions
                .when(
                    joined.col("id").equalTo(predictions.keySet().iterator().next()),
                    org.apache.spark.sql.functions.lit("lots"))
                .otherwise(joined.col("income")));
    List<Row> statuses =
        model.transform(bad).where("mtl_status like '%lots%'").select("mtl_status").collectAsList();
    assertEquals(1, statuses.size(), "the one row with a bad cell says so");
    assertTrue(
        statuses
            .get(0)
            .getString(0)
            .startsWith("scored without tabular (income: not a finite number"),
        statuses.get(0).getString(0));
    IOException notAModel =
        assertThrows(IOException.class, () -> MtlModel.load(spark, dir.resolve("data").toString()));
    assertTrue(notAModel.getMessage().contains("no model.zip"), notAModel.getMessage());
  }
}
