package org.mtlspark.operate.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.train.TrainJob;

/**
 * Table sources and table or path sinks, on Hive's metastore (Derby, local): generated data with
 * numeric keys saved as tables and as Parquet files; prep over the tables equals prep over the
 * files; a model trained on the tables scores into a table and a partitioned path, appended and
 * overwritten, and never into what score did not write.
 */
class TablesIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig files;
  static MtlConfig tables;
  static Manifest fromFiles;
  static Manifest fromTables;
  static long batchZero;

  static final String SOURCES =
      """
      data:
        key: [id]
        sources:
          - name: tabular
            %s
            numeric: [age, income, visits, tenure]
            datetime: [signup]
            categorical: [region, plan]
          - name: text
            %s
            text: text
          - name: images
            %s
            image: pixels
          - name: labels
            %s
      """;

  @BeforeAll
  static void tablesAndFiles() throws IOException {
    spark = SharedSpark.get();
    assertTrue(SharedSpark.hiveOnClasspath(), "the tests of tables run on Hive's metastore");
    MtlConfig generated =
        ConfigLoader.load(List.of(), List.of("generate.rows=600", "train.epochs=1"));
    Path raw = dir.resolve("raw");
    new GenerateJob(spark).run(generated, raw.toString());
    // Numeric keys (c00000042 -> 42), so that the key has a type to keep; the tabular rows carry a
    // partition column, batch.
    Map<String, Dataset<Row>> frames = new HashMap<>();
    frames.put(
        "tabular",
        numericKey(spark.read().option("header", "true").csv(raw.resolve("tabular").toString()))
            .withColumn("batch", expr("id % 2")));
    frames.put("text", numericKey(spark.read().json(raw.resolve("text").toString())));
    frames.put("images", numericKey(spark.read().parquet(raw.resolve("images").toString())));
    frames.put(
        "labels",
        numericKey(spark.read().option("header", "true").csv(raw.resolve("labels").toString())));
    spark.sql("DROP TABLE IF EXISTS mtl_tabular");
    spark.sql("DROP TABLE IF EXISTS mtl_images");
    spark.sql("DROP TABLE IF EXISTS mtl_labels");
    frames.get("tabular").write().partitionBy("batch").saveAsTable("mtl_tabular");
    frames.get("images").write().saveAsTable("mtl_images");
    frames.get("labels").write().saveAsTable("mtl_labels");
    frames.forEach((name, f) -> f.write().parquet(dir.resolve("data/" + name).toString()));
    batchZero = frames.get("tabular").where("batch = 0").count();

    files = config("files.yaml", "format: parquet\npath: tabular", "text", "images", "labels");
    tables =
        config(
            "tables.yaml",
            "format: table\ntable: mtl_tabular",
            "format: spark\nreader: parquet\noptions: {mergeSchema: \"false\"}\npath: text",
            "format: table\ntable: default.mtl_images",
            "format: table\ntable: mtl_labels");
    String data = dir.resolve("data").toString();
    fromFiles = new PrepJob(spark).run(files, data, dir.resolve("prep-files").toString());
    fromTables = new PrepJob(spark).run(tables, data, dir.resolve("prep-tables").toString());
    new TrainJob(spark)
        .run(tables, dir.resolve("prep-tables").toString(), dir.resolve("run").toString());
  }

  /**
   * The frame with numeric keys; rows without one left out (some generated files are in dialects
   * only the project's own CSV reader reads, which Spark's reads as rows without a key).
   */
  private static Dataset<Row> numericKey(Dataset<Row> frame) {
    return frame
        .withColumn("id", expr("cast(substring(id, 2) as bigint)"))
        .where(col("id").isNotNull());
  }

  /** The generated data's configuration with these sources (text: parquet or the given lines). */
  private static MtlConfig config(
      String name, String tabular, String text, String images, String labels) throws IOException {
    String yaml =
        String.format(
            SOURCES,
            tabular.replace("\n", "\n      "),
            text.startsWith("format")
                ? text.replace("\n", "\n      ")
                : "format: parquet\n      path: text",
            images.startsWith("format")
                ? images.replace("\n", "\n      ")
                : "format: parquet\n      path: images",
            labels.startsWith("format")
                ? labels.replace("\n", "\n      ")
                : "format: parquet\n      path: labels");
    Path file = dir.resolve(name);
    Files.writeString(file, yaml);
    return ConfigLoader.load(
        List.of(file.toString()), List.of("generate.rows=600", "train.epochs=1"));
  }

  @Test
  void prepOverTablesReadsWhatPrepOverTheSameRowsInFilesReads() {
    assertEquals(fromFiles.counts().records(), fromTables.counts().records());
    assertEquals(fromFiles.counts().recordStatus(), fromTables.counts().recordStatus());
    assertEquals(fromFiles.counts().rejectsByReason(), fromTables.counts().rejectsByReason());
    for (String s : List.of("tabular", "text", "images", "labels")) {
      assertEquals(
          fromFiles.counts().sources().get(s).rows(),
          fromTables.counts().sources().get(s).rows(),
          s);
      assertEquals(
          fromFiles.counts().sources().get(s).accepted(),
          fromTables.counts().sources().get(s).accepted(),
          s);
    }
    // The same values, summed in another order (the partitions differ).
    List<Double> a = fromFiles.featurizers().means();
    List<Double> b = fromTables.featurizers().means();
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i), b.get(i), 1e-12 * Math.max(1, Math.abs(a.get(i))), "mean " + i);
    }
    assertEquals(
        fromFiles.splits().get("test").examples(), fromTables.splits().get("test").examples());
    assertTrue(fromTables.counts().sources().get("tabular").files() >= 2, "one file per partition");
  }

  @Test
  void aConditionReadsOnlyThoseRowsAndAMissingTableIsNamed() throws IOException {
    MtlConfig half = tables.withWhere(Map.of("tabular", "batch = 0"));
    Manifest m =
        new PrepJob(spark)
            .run(half, dir.resolve("data").toString(), dir.resolve("prep-half").toString());
    assertEquals(batchZero, m.counts().sources().get("tabular").rows());
    assertTrue(batchZero < fromTables.counts().sources().get("tabular").rows());
    MtlConfig missing =
        config("missing.yaml", "format: table\ntable: mtl_nowhere", "text", "images", "labels");
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new PrepJob(spark)
                    .run(
                        missing,
                        dir.resolve("data").toString(),
                        dir.resolve("prep-none").toString()));
    assertTrue(
        e.getMessage().startsWith("source tabular: Spark cannot read table mtl_nowhere: "),
        e.getMessage());
    assertTrue(!Files.exists(dir.resolve("prep-none")), "nothing written");
  }

  private ScoreJob.Summary score(String out, Map<String, String> where, ScoreSink sink)
      throws IOException {
    return new ScoreJob(spark)
        .run(
            dir.resolve("run").toString(),
            dir.resolve("data").toString(),
            dir.resolve(out).toString(),
            ScoreJob.Format.PARQUET,
            ScoreJob.BEAM,
            where,
            sink);
  }

  @Test
  void scoresGoIntoATableWithTypedKeysAndTheModelVersionAppendedOrOverwritten() throws IOException {
    spark.sql("DROP TABLE IF EXISTS mtl_scores");
    ScoreJob.Summary plain = score("scored-plain", Map.of(), null);
    Map<Object, Double> spend = new HashMap<>();
    for (Row r :
        spark.read().parquet(dir.resolve("scored-plain/predictions").toString()).collectAsList()) {
      spend.put(r.getString(0), r.getDouble(1));
    }
    ScoreSink sink = new ScoreSink("mtl_scores", null, List.of(ScoreSink.MODEL_VERSION), false);
    ScoreJob.Summary first = score("scored-1", Map.of(), sink);
    assertEquals("table mtl_scores (append, partitioned by [model_version])", first.predictions());
    assertTrue(!Files.exists(dir.resolve("scored-1/predictions")), "not also in the folder");
    Dataset<Row> table = spark.table("mtl_scores");
    assertEquals(
        DataTypes.LongType, table.schema().apply("id").dataType(), "the key keeps its type");
    assertEquals(plain.scored(), table.count());
    List<Row> versions = table.select(ScoreSink.MODEL_VERSION).distinct().collectAsList();
    assertEquals(1, versions.size());
    assertEquals("run", versions.get(0).getString(0), "the run folder's name");
    for (Row r : table.select("id", "spend").collectAsList()) {
      assertEquals(spend.get(Long.toString(r.getLong(0))), r.getDouble(1), 1e-9, "spend of " + r);
    }
    score("scored-2", Map.of(), sink);
    assertEquals(2 * plain.scored(), spark.table("mtl_scores").count(), "appended");
    // An older model's partition, which an overwrite by this model must leave alone.
    spark
        .table("mtl_scores")
        .limit(7)
        .withColumn(ScoreSink.MODEL_VERSION, org.apache.spark.sql.functions.lit("older"))
        .write()
        .insertInto("mtl_scores");
    score("scored-3", Map.of(), new ScoreSink("mtl_scores", null, List.of(), true));
    assertEquals(
        plain.scored(),
        spark.table("mtl_scores").where("model_version <> 'older'").count(),
        "the model's partition replaced");
    assertEquals(
        7, spark.table("mtl_scores").where("model_version = 'older'").count(), "the older kept");
    IOException otherwise =
        assertThrows(
            IOException.class,
            () ->
                score(
                    "scored-5", Map.of(), new ScoreSink("mtl_scores", null, List.of("id"), true)));
    assertTrue(
        otherwise.getMessage().contains("is partitioned by [model_version], not by [id]"),
        otherwise.getMessage());

    // A table score did not create is appended to, never overwritten.
    spark.sql("DROP TABLE IF EXISTS mtl_theirs");
    spark.sql("CREATE TABLE mtl_theirs (id BIGINT, note STRING) USING parquet");
    spark.sql("INSERT INTO mtl_theirs VALUES (1, 'keep me')");
    IOException refused =
        assertThrows(
            IOException.class,
            () -> score("scored-4", Map.of(), new ScoreSink("mtl_theirs", null, List.of(), true)));
    assertTrue(refused.getMessage().contains("score did not create it"), refused.getMessage());
    assertEquals(1, spark.table("mtl_theirs").count());
    assertTrue(!Files.exists(dir.resolve("scored-4")), "nothing written");
  }

  @Test
  void aConditionGivenToScoreReplacesTheSourcesOwn() throws IOException {
    score("scored-all", Map.of(), null);
    score("scored-odd", Map.of("tabular", "batch = 1"), null);
    Map<String, Double> all = spend("scored-all");
    Map<String, Double> odd = spend("scored-odd");
    assertEquals(all.keySet(), odd.keySet(), "the other sources still give every record");
    int same = 0;
    int differ = 0;
    for (String id : all.keySet()) {
      if (Long.parseLong(id) % 2 == 1) {
        assertEquals(all.get(id), odd.get(id), 1e-9, "record " + id + " keeps its tabular row");
        same++;
      } else if (Math.abs(all.get(id) - odd.get(id)) > 1e-6) {
        differ++;
      }
    }
    assertTrue(same > 100, same + " odd records");
    assertTrue(differ > 100, differ + " even records scored without their tabular row");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> score("scored-bad", Map.of("nowhere", "batch = 1"), null));
    assertTrue(e.getMessage().contains("no table or spark source"), e.getMessage());
  }

  private Map<String, Double> spend(String out) {
    Map<String, Double> m = new HashMap<>();
    for (Row r :
        spark.read().parquet(dir.resolve(out + "/predictions").toString()).collectAsList()) {
      m.put(r.getString(0), r.getDouble(1));
    }
    return m;
  }

  @Test
  void scoresGoIntoAPartitionedPathThatScoreWroteAndNowhereElse() throws IOException {
    String into = dir.resolve("into").toString();
    ScoreSink sink = new ScoreSink(null, into, List.of(ScoreSink.MODEL_VERSION), false);
    ScoreJob.Summary s = score("scored-p1", Map.of(), sink);
    assertTrue(Files.exists(dir.resolve("into").resolve(ScoreSink.MARK_FILE)));
    try (var parts = Files.list(dir.resolve("into"))) {
      assertEquals(
          1,
          parts.filter(p -> p.getFileName().toString().startsWith("model_version=")).count(),
          "one partition per model");
    }
    Dataset<Row> written = spark.read().parquet(into);
    assertEquals(s.scored(), written.count());
    assertEquals(DataTypes.LongType, written.schema().apply("id").dataType());
    spark
        .read()
        .parquet(into)
        .limit(5)
        .withColumn(ScoreSink.MODEL_VERSION, org.apache.spark.sql.functions.lit("older"))
        .write()
        .mode("append")
        .partitionBy(ScoreSink.MODEL_VERSION)
        .parquet(into);
    // Without --partition-by, the path keeps its own partitioning.
    score("scored-p2", Map.of(), new ScoreSink(null, into, List.of(), true));
    assertEquals(
        s.scored(),
        spark.read().parquet(into).where("model_version <> 'older'").count(),
        "overwritten, not appended");
    assertEquals(
        5, spark.read().parquet(into).where("model_version = 'older'").count(), "the older kept");
    IOException otherwise =
        assertThrows(
            IOException.class,
            () -> score("scored-p4", Map.of(), new ScoreSink(null, into, List.of("id"), false)));
    assertTrue(otherwise.getMessage().contains("not by [id]"), otherwise.getMessage());
    // A file of someone else's beside score's: the folder is no longer score's alone.
    Files.writeString(dir.resolve("into").resolve("notes.txt"), "keep me");
    IOException mixed =
        assertThrows(
            IOException.class,
            () -> score("scored-p5", Map.of(), new ScoreSink(null, into, List.of(), true)));
    assertTrue(mixed.getMessage().contains("(notes.txt)"), mixed.getMessage());
    assertTrue(Files.exists(dir.resolve("into").resolve("notes.txt")));

    Path theirs = dir.resolve("theirs");
    Files.createDirectories(theirs);
    Files.writeString(theirs.resolve("notes.txt"), "keep me");
    for (boolean overwrite : List.of(false, true)) {
      IOException e =
          assertThrows(
              IOException.class,
              () ->
                  score(
                      "scored-p3",
                      Map.of(),
                      new ScoreSink(null, theirs.toString(), List.of(), overwrite)));
      assertTrue(e.getMessage().contains("holds files that score did not write"), e.getMessage());
    }
    try (var left = Files.list(theirs)) {
      assertEquals(List.of(theirs.resolve("notes.txt")), left.toList());
    }
    assertNotEquals(0, s.scored());
  }
}
