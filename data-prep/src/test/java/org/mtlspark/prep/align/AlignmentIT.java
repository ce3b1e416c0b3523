package org.mtlspark.prep.align;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.source.SourceReader;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.prep.split.SplitOrder;
import org.mtlspark.testing.SharedSpark;

/**
 * Four sources in four formats (CSV ratings by user and movie, JSON-lines movies and a folder of
 * posters enriching by movie, Parquet users enriching by user), with a corpus of malformed input:
 * a truncated row, a wrong type, a missing key, an empty file, a file whose header drifted, a
 * corrupt PNG, duplicate keys. Expectations are worked out by hand from the rows below.
 */
class AlignmentIT {
  @TempDir static Path dir;
  static SparkSession spark;

  static final String EXPERIMENT =
      """
      data:
        key: [userId, movieId]
        sources:
          - {name: ratings, format: csv, path: ratings, numeric: [x], duplicates: latest, timestamp: ts}
          - {name: movies, format: json, path: movies.jsonl, key: [movieId], text: title}
          - {name: posters, format: images, path: posters, key: [movieId]}
          - {name: users, format: parquet, path: users, key: [userId], numeric: [age], categorical: [country]}
      prep:
        maxRejectFraction: 0.9
        partitions: 2
        image: {width: 4, height: 4}
        split: {train: 0.6, validation: 0.2}
      tasks:
        - {name: rating, type: regression, source: ratings, column: rating}
        - {name: genres, type: multilabel, source: movies, column: genres}
      """;

  @BeforeAll
  static void writeSources() throws IOException {
    spark = SharedSpark.get();
    Path ratings = Files.createDirectories(dir.resolve("data/ratings"));
    Files.writeString(
        ratings.resolve("a.csv"),
        String.join(
            "\n",
            "userId,movieId,rating,ts,x",
            "u1,m1,4.0,100,1.0",
            "u1,m2,3.0,100,2.0",
            "u2,m1,5.0,100,oops",
            "u2,m1,2.0,200,3.0",
            "u3,m3,1.0,100,1.0",
            "u3,m3,2.5,300,1.0",
            "u3,m3,1.5,200,1.0",
            "u4,m1",
            ",m2,3.0,100,1.0",
            "u5,m9,4.0,100,NA",
            ""),
        StandardCharsets.UTF_8);
    Files.writeString(
        ratings.resolve("b.csv"),
        "userId,movieId,rating,ts\nu6,m1,3.0,100\n",
        StandardCharsets.UTF_8);
    Files.writeString(ratings.resolve("c.csv"), "", StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("data/movies.jsonl"),
        String.join(
            "\n",
            "{\"movieId\": \"m1\", \"title\": \"Toy Story\", \"genres\": \"Comedy|Kids\"}",
            "{\"movieId\": \"m2\", \"title\": \"Heat\", \"genres\": [\"Crime\", \"Action\"]}",
            "{\"movieId\": \"m3\", \"title\": \"Alien\", \"genres\": \"Horror|SciFi\"}",
            "{\"movieId\": \"m1\", \"title\": \"Toy Story (again)\", \"genres\": \"Kids\"}",
            ""),
        StandardCharsets.UTF_8);
    Path posters = Files.createDirectories(dir.resolve("data/posters"));
    Files.write(posters.resolve("m1.png"), png(8, 8));
    Files.write(posters.resolve("m2.png"), Arrays.copyOf(png(8, 8), 30));
    StructType schema =
        new StructType()
            .add("userId", DataTypes.StringType)
            .add("age", DataTypes.IntegerType)
            .add("country", DataTypes.StringType);
    spark
        .createDataFrame(
            List.of(
                RowFactory.create("u1", 30, "fr"),
                RowFactory.create("u2", 40, "de"),
                RowFactory.create("u3", null, "fr")),
            schema)
        .coalesce(1)
        .write()
        .parquet(dir.resolve("data/users").toString());
  }

  static byte[] png(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, 0xFFFFFF);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  /** Reads every source and aligns them, as prep does, and returns the records by display key. */
  static Map<String, AlignedRecord> align(MtlConfig config) throws IOException {
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    List<JavaRDD<ParsedRow<SourceValues>>> rdds =
        SourceReader.readAll(spark, conf, config, dir.resolve("data").toString()).rows();
    return SourceAligner.align(
            spark, config.data(), rdds, new RecordLayout(config), SplitOrder.unsplit(), 2)
        .collect()
        .stream()
        .collect(Collectors.toMap(r -> Keys.display(r.key()), r -> r));
  }

  @Test
  void exactJoinManyToOneEnrichmentAndDuplicatePolicies() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(EXPERIMENT, "alignment.yaml");
    RecordLayout layout = new RecordLayout(config);
    Map<String, AlignedRecord> records = align(config);
    assertEquals(
        List.of("u1, m1", "u1, m2", "u2, m1", "u3, m3", "u5, m9"),
        records.keySet().stream().sorted().toList(),
        "one record per (user, movie) with an accepted rating row");

    AlignedRecord u1m1 = records.get("u1, m1");
    assertEquals("4.0", layout.label(u1m1, 0));
    assertEquals("Toy Story", layout.text(u1m1), "the first movies row of m1 is kept");
    assertEquals("Comedy" + Keys.SEPARATOR + "Kids", layout.label(u1m1, 1));
    assertEquals(30.0, layout.numeric(u1m1, 1), "age from the users source, by userId");
    assertEquals("fr", layout.categorical(u1m1, 0));
    assertEquals(16, layout.image(u1m1).length, "the poster, decoded and resized to 4x4");
    assertEquals(255, layout.image(u1m1)[0] & 0xff);

    AlignedRecord u1m2 = records.get("u1, m2");
    assertNull(layout.image(u1m2), "m2's poster is corrupt: rejected, so the record has no image");
    assertEquals("Action" + Keys.SEPARATOR + "Crime", layout.label(u1m2, 1));

    assertEquals(
        "2.0", layout.label(records.get("u2, m1"), 0), "the other (u2, m1) row had a bad number");
    assertEquals(
        "2.5", layout.label(records.get("u3, m3"), 0), "duplicates: latest keeps the greatest ts");
    assertTrue(
        Double.isNaN(layout.numeric(records.get("u3, m3"), 1)), "u3's age is null in Parquet");

    AlignedRecord u5m9 = records.get("u5, m9");
    assertNull(layout.text(u5m9), "no movie m9: the enrichment is missing");
    assertNull(layout.label(u5m9, 1), "and so is its genres label");
    assertNull(u5m9.source(3), "no user u5");
    assertEquals(AlignedRecord.Status.USABLE, u5m9.status(), "missing: zero keeps the record");
  }

  @Test
  void missingDropLeavesOutRecordsWithoutTheSource() throws IOException {
    MtlConfig config =
        ConfigLoader.fromYaml(
            EXPERIMENT.replace("text: title}", "text: title, missing: drop}"), "drop.yaml");
    Map<String, AlignedRecord> records = align(config);
    assertEquals(AlignedRecord.Status.MISSING_REQUIRED_SOURCE, records.get("u5, m9").status());
    assertEquals("movies", records.get("u5, m9").droppedBy());
    assertEquals(AlignedRecord.Status.USABLE, records.get("u1, m1").status());
  }

  @Test
  void prepAccountsForEveryRowAndWritesEachRejectWithItsReason() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(EXPERIMENT, "alignment.yaml");
    Manifest m =
        new PrepJob(spark)
            .run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
    Manifest.SourceCount ratings = m.counts().sources().get("ratings");
    assertEquals(12, ratings.rows(), "10 rows in a.csv, 1 in b.csv, the empty c.csv");
    assertEquals(
        5, ratings.rejected(), "wrong type, truncated, missing key, drifted header, empty file");
    assertEquals(2, ratings.duplicates(), "(u3, m3) three times");
    assertEquals(new Manifest.SourceCount(1, 4, 4, 0, 1), m.counts().sources().get("movies"));
    assertEquals(new Manifest.SourceCount(2, 2, 1, 1, 0), m.counts().sources().get("posters"));
    assertEquals(new Manifest.SourceCount(1, 3, 3, 0, 0), m.counts().sources().get("users"));
    assertEquals(5, m.counts().records());

    List<String> rejects;
    try (Stream<Path> files = Files.list(dir.resolve("prep/rejects"))) {
      rejects =
          files
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .flatMap(
                  p -> {
                    try {
                      return Files.readAllLines(p).stream();
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .toList();
    }
    assertEquals(6, rejects.size());
    assertContains(
        rejects, "a.csv\",\"line\":4,", "\"field\":\"x\"", "not a finite number: \\\"oops\\\"");
    assertContains(rejects, "a.csv\",\"line\":9,", "expected 5 cells, found 2");
    assertContains(rejects, "a.csv\",\"line\":10,", "\"field\":\"userId\"", "missing key");
    assertContains(rejects, "b.csv\",\"line\":2,", "lacks column(s) [x]");
    assertContains(rejects, "c.csv\"", "empty file");
    assertContains(rejects, "m2.png\"", "\"source\":\"posters\"");
    assertEquals(List.of("tabular", "text", "image"), m.featurizers().modalities());
    assertTrue(
        List.of("Action", "Comedy", "Crime", "Horror", "Kids", "SciFi")
            .containsAll(m.featurizers().tasks().get(1).classes()),
        "genres are learnt from the training split's labels");
  }

  @Test
  void duplicatesFailStopsNamingTheKeyAndLeavesNoOutput() {
    MtlConfig config =
        ConfigLoader.fromYaml(
            EXPERIMENT.replace("text: title}", "text: title, duplicates: fail}"), "fail.yaml");
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new PrepJob(spark)
                    .run(config, dir.resolve("data").toString(), dir.resolve("failed").toString()));
    assertTrue(
        e.getMessage().contains("source movies has 1 row(s) repeating a key"), e.getMessage());
    assertTrue(e.getMessage().contains("key m1 at "), e.getMessage());
    assertFalse(Files.exists(dir.resolve("failed")));
  }

  @Test
  void duplicatesFailOnARecordSourceNamesTheKeyAndItsRows() {
    MtlConfig config =
        ConfigLoader.fromYaml(
            EXPERIMENT.replace(
                "duplicates: latest, timestamp: ts}", "duplicates: fail, timestamp: ts}"),
            "fail-ratings.yaml");
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new PrepJob(spark)
                    .run(
                        config, dir.resolve("data").toString(), dir.resolve("failed2").toString()));
    assertTrue(
        e.getMessage().contains("source ratings has 2 row(s) repeating a key"), e.getMessage());
    assertTrue(
        e.getMessage().contains("key u3, m3 at ") && e.getMessage().contains("a.csv:6"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("failed2")));
  }

  private static void assertContains(List<String> lines, String... parts) {
    assertTrue(
        lines.stream().anyMatch(l -> Arrays.stream(parts).allMatch(l::contains)),
        "no reject with " + Arrays.toString(parts) + " in\n" + String.join("\n", lines));
  }

  @Test
  void keysWithSeveralColumnsProjectOntoTheirParts() {
    String key = Keys.join(List.of("u1", "m7"));
    assertEquals("m7", Keys.project(key, List.of("userId", "movieId"), List.of("movieId")));
    assertArrayEquals(new String[] {"u1", "m7"}, Keys.split(key));
  }
}
