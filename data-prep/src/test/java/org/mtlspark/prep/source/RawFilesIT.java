package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
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
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.split.SplitOrder;
import org.mtlspark.testing.SharedSpark;

/**
 * Files as people have them, configured with documented options only and read without hand edits:
 * a gzipped CSV export with a byte-order mark, CRLF line ends and quoted multi-line texts holding
 * commas and doubled quotes, ISO-8601 times; typed Parquet timestamps and dates; a key-less table
 * in another delimiter and encoding; a bzip2 file with dates like "Jun 12 1998". Expectations are
 * worked out by hand from the rows below.
 */
class RawFilesIT {
  @TempDir static Path dir;
  static SparkSession spark;

  static final String TWEETS =
      """
      data:
        key: [tweet_id]
        sources:
          - {name: tweets, format: csv, path: tweets.csv.gz, text: text, datetime: [created_at]}
          - {name: events, format: parquet, path: events, datetime: [day], duplicates: latest, timestamp: at,
             numeric: [clicks]}
      prep: {maxRejectFraction: 0.9, partitions: 2}
      tasks:
        - {name: device, type: multiclass, source: tweets, column: device}
        - {name: retweets, type: regression, source: tweets, column: retweets}
      """;

  @BeforeAll
  static void writeFiles() throws IOException {
    spark = SharedSpark.get();
    Files.createDirectories(dir.resolve("data"));
    // Line numbers, for the expectations below: 1 header; 2-4 t1 (three lines); 5 t2; 6-7 t3, whose
    // second line alone has the five cells of a record; 8 a blank line; 9 t4, with text after a
    // closing quote; 10 t5 with an unparsable date; 11-12 t6, whose last line looks like a record.
    String tweets =
        "\uFEFFtweet_id,created_at,text,device,retweets\r\n"
            + "t1,2009-12-23T17:38:18Z,\"Trade talks, day 3:\r\n\"\"no deal\"\" says\r\nthe minister\",iPhone,12\r\n"
            + "t2,2009-12-24 08:00:00,plain text,Android,0\r\n"
            + "t3,2009-12-25,\"first line\r\ntrade,2010-01-01,fake,Web,99\",Web,3\r\n"
            + "\r\n"
            + "t4,2009-12-26T10:00:00+02:00,\"closed\"early,Web,1\r\n"
            + "t5,yesterday,\"no date\",Android,5\r\n"
            + "t6,2009-12-27T00:00:00Z,\"a quote \"\"inside\"\", then\r\nt7,2009-12-28,x,Web,1\",iPhone,2\r\n";
    try (OutputStream out =
        new GZIPOutputStream(Files.newOutputStream(dir.resolve("data/tweets.csv.gz")))) {
      out.write(tweets.getBytes(StandardCharsets.UTF_8));
    }
    StructType schema =
        new StructType()
            .add("tweet_id", DataTypes.StringType)
            .add("at", DataTypes.TimestampType)
            .add("day", DataTypes.DateType)
            .add("clicks", DataTypes.IntegerType);
    spark
        .createDataFrame(
            List.of(
                RowFactory.create(
                    "t1", Timestamp.valueOf("2026-11-28 12:00:00"), Date.valueOf("2026-11-28"), 1),
                RowFactory.create(
                    "t1", Timestamp.valueOf("2026-11-28 13:00:00"), Date.valueOf("2026-11-29"), 2),
                RowFactory.create(
                    "t1", Timestamp.valueOf("2026-11-28 11:00:00"), Date.valueOf("2026-11-30"), 3),
                RowFactory.create("t2", null, null, 4)),
            schema)
        .coalesce(1)
        .write()
        .parquet(dir.resolve("data/events").toString());

    Files.write(
        dir.resolve("data/survey.csv"),
        String.join(
                "\n",
                "region;answer;likes;comment",
                "Île-de-France;Y;3;\"bon; très bon\"",
                "Bretagne;n;1;",
                "Bretagne;yes;4;\"deux",
                "lignes\"",
                "")
            .getBytes(Charset.forName("ISO-8859-1")));

    try (OutputStream out =
        new BZip2CompressorOutputStream(Files.newOutputStream(dir.resolve("data/films.csv.bz2")))) {
      out.write(
          String.join(
                  "\n",
                  "id,title,released,gross",
                  "f1,\"Psycho\",Jun 16 1960,32000000",
                  "f2,\"Psycho\",DEC 4 1998,37000000",
                  "f3,\"Untitled, \\\"draft\\\"\",not yet,",
                  "f4,\"Untitled, \\\"draft\\\"\",not yet,",
                  "")
              .getBytes(StandardCharsets.UTF_8));
    }
  }

  static Map<String, AlignedRecord> align(MtlConfig config) throws IOException {
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    return SourceAligner.align(
            spark,
            config.data(),
            SourceReader.readAll(spark, conf, config, dir.resolve("data").toString()).rows(),
            new RecordLayout(config),
            SplitOrder.unsplit(),
            2)
        .collect()
        .stream()
        .collect(Collectors.toMap(r -> Keys.display(r.key()), r -> r));
  }

  static List<String> rejects(Path prep) throws IOException {
    try (Stream<Path> files = Files.list(prep.resolve("rejects"))) {
      return files
          .filter(p -> p.getFileName().toString().startsWith("part-"))
          .flatMap(
              p -> {
                try {
                  return Files.readAllLines(p).stream();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .sorted()
          .toList();
    }
  }

  @Test
  void multiLineQuotedTextsInAGzippedExportAreRecordsAndNoPieceOfOneIsARecord() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(TWEETS, "tweets.yaml");
    RecordLayout layout = new RecordLayout(config);
    Map<String, AlignedRecord> records = align(config);
    assertEquals(
        List.of("t1", "t2", "t3", "t5", "t6"),
        records.keySet().stream().sorted().toList(),
        "t4 is malformed; 'trade' and 't7' are lines inside quoted cells, never records");
    assertEquals(
        "Trade talks, day 3:\r\n\"no deal\" says\r\nthe minister", layout.text(records.get("t1")));
    assertEquals("iPhone", layout.label(records.get("t1"), 0));
    assertEquals("12.0", layout.label(records.get("t1"), 1));
    assertEquals("first line\r\ntrade,2010-01-01,fake,Web,99", layout.text(records.get("t3")));
    assertEquals("Web", layout.label(records.get("t3"), 0));
    assertEquals(
        "a quote \"inside\", then\r\nt7,2009-12-28,x,Web,1", layout.text(records.get("t6")));

    // tweets.created_at: year, month sin/cos, weekday sin/cos, hour sin/cos, days (numeric 0..7).
    AlignedRecord t1 = records.get("t1");
    assertEquals(2009.0, layout.numeric(t1, 0));
    assertEquals(
        Math.sin(2 * Math.PI * (17 + 38 / 60.0 + 18 / 3600.0) / 24), layout.numeric(t1, 5), 1e-9);
    AlignedRecord t3 = records.get("t3");
    assertEquals(2009.0, layout.numeric(t3, 0), "a date alone");
    assertTrue(Double.isNaN(layout.numeric(t3, 5)), "has no hour");
    AlignedRecord t5 = records.get("t5");
    assertEquals(
        AlignedRecord.Status.USABLE,
        t5.status(),
        "an unparsable date is a missing value, not a reject");
    assertTrue(Double.isNaN(layout.numeric(t5, 0)) && Double.isNaN(layout.numeric(t5, 7)));
    assertEquals("Android", layout.label(t5, 0));

    // events: typed TIMESTAMP orders duplicates (latest: 13:00, clicks 2); typed DATE is a feature.
    // Numeric refs of events come after the tweets' eight: clicks (8), then day's eight (9..16).
    assertEquals(2.0, layout.numeric(t1, 8), "the row with the latest TIMESTAMP is kept");
    assertEquals(2026.0, layout.numeric(t1, 9));
    assertEquals(
        Date.valueOf("2026-11-29").toLocalDate().toEpochDay(), layout.numeric(t1, 16), 1e-9);
    assertTrue(Double.isNaN(layout.numeric(records.get("t2"), 9)), "a null DATE is missing");
  }

  @Test
  void prepCountsRecordsNotLinesAndRejectsAMalformedRecordAtItsFirstLine() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(TWEETS, "tweets.yaml");
    Path out = dir.resolve("prep-tweets");
    Manifest m = new PrepJob(spark).run(config, dir.resolve("data").toString(), out.toString());
    assertEquals(
        new Manifest.SourceCount(1, 6, 5, 1, 0),
        m.counts().sources().get("tweets"),
        "six records on eleven lines and a blank one: five accepted, t4 rejected");
    assertEquals(new Manifest.SourceCount(1, 4, 4, 0, 2), m.counts().sources().get("events"));
    List<String> rejects = rejects(out);
    assertEquals(1, rejects.size(), String.join("\n", rejects));
    String t4 = rejects.get(0);
    assertTrue(
        t4.contains("tweets.csv.gz\",\"line\":9,")
            && t4.contains("text after the closing quote of cell 3"),
        t4);
    assertTrue(
        m.featurizers().tasks().get(0).classes().stream()
            .allMatch(List.of("iPhone", "Android", "Web")::contains),
        "no piece of a text became a class: " + m.featurizers().tasks().get(0).classes());
  }

  static final String SURVEY =
      """
      data:
        key: [_row]
        sources:
          - {name: survey, format: csv, path: survey.csv, delimiter: ";", encoding: ISO-8859-1,
             categorical: [region], text: comment}
      prep: {partitions: 2}
      tasks:
        - {name: answer, type: binary, source: survey, column: answer}
        - {name: likes, type: regression, source: survey, column: likes}
      """;

  @Test
  void aTableWithoutAKeyIsKeyedByFileAndLineInItsOwnDelimiterAndEncoding() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(SURVEY, "survey.yaml");
    RecordLayout layout = new RecordLayout(config);
    Map<String, AlignedRecord> records = align(config);
    assertEquals(
        List.of("survey.csv:2", "survey.csv:3", "survey.csv:4"),
        records.keySet().stream().sorted().toList());
    assertEquals("Île-de-France", layout.categorical(records.get("survey.csv:2"), 0));
    assertEquals("bon; très bon", layout.text(records.get("survey.csv:2")));
    assertNull(layout.text(records.get("survey.csv:3")));
    assertEquals("deux\nlignes", layout.text(records.get("survey.csv:4")));
    assertEquals("4.0", layout.label(records.get("survey.csv:4"), 1));
    assertEquals(
        List.of("1", "0", "1"),
        List.of(
            layout.label(records.get("survey.csv:2"), 0),
            layout.label(records.get("survey.csv:3"), 0),
            layout.label(records.get("survey.csv:4"), 0)),
        "Y, n, yes");
    // Rows appended at the end of the file keep the keys, and so the splits, of the rows before.
    Path grown = Files.createDirectories(dir.resolve("data/grown"));
    byte[] before = Files.readAllBytes(dir.resolve("data/survey.csv"));
    byte[] appended = "Alsace;No;2;\"nouveau\"\n".getBytes(Charset.forName("ISO-8859-1"));
    byte[] both = java.util.Arrays.copyOf(before, before.length + appended.length);
    System.arraycopy(appended, 0, both, before.length, appended.length);
    Files.write(grown.resolve("survey.csv"), both);
    Map<String, AlignedRecord> after =
        align(
            ConfigLoader.fromYaml(
                SURVEY.replace("path: survey.csv", "path: grown/survey.csv"), "grown.yaml"));
    assertEquals(
        List.of("survey.csv:2", "survey.csv:3", "survey.csv:4", "survey.csv:6"),
        after.keySet().stream().sorted().toList());
    assertEquals("Alsace", layout.categorical(after.get("survey.csv:6"), 0));
    assertEquals("0", layout.label(after.get("survey.csv:6"), 0), "No");
  }

  static final String FILMS =
      """
      data:
        key: [id]
        sources:
          - {name: films, format: csv, path: films.csv.bz2, escape: "\\\\", categorical: [title],
             datetime: [released], dateFormats: {released: "MMM d yyyy"}}
      prep: {partitions: 2}
      tasks:
        - {name: gross, type: regression, source: films, column: gross}
      """;

  @Test
  void keyingByAColumnThatIsNotUniqueIsReportedWhenTheDroppedRowsDiffer() throws IOException {
    MtlConfig config =
        ConfigLoader.fromYaml(
            FILMS.replace("key: [id]", "key: [title]").replace(" categorical: [title],", ""),
            "films-by-title.yaml");
    Manifest m =
        new PrepJob(spark)
            .run(config, dir.resolve("data").toString(), dir.resolve("prep-films").toString());
    assertEquals(
        new Manifest.SourceCount(1, 4, 4, 0, 2, 1),
        m.counts().sources().get("films"),
        "Psycho twice with different values (counted), the untitled film twice with the same (not)");
    assertEquals(2, m.counts().records());
  }

  @Test
  void datesInAPatternFromABzip2FileWithBackslashEscapes() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(FILMS, "films.yaml");
    RecordLayout layout = new RecordLayout(config);
    Map<String, AlignedRecord> records = align(config);
    assertEquals(List.of("f1", "f2", "f3", "f4"), records.keySet().stream().sorted().toList());
    assertEquals(1960.0, layout.numeric(records.get("f1"), 0));
    assertEquals(1998.0, layout.numeric(records.get("f2"), 0), "month names in any case");
    assertEquals(
        java.time.LocalDate.of(1998, 12, 4).toEpochDay(),
        layout.numeric(records.get("f2"), 7),
        1e-9);
    assertTrue(Double.isNaN(layout.numeric(records.get("f3"), 0)), "'not yet' is a missing date");
    assertEquals("Untitled, \"draft\"", layout.categorical(records.get("f3"), 0));
    assertNull(layout.label(records.get("f3"), 0), "an empty gross is a missing label");
    assertTrue(
        Double.isNaN(layout.numeric(records.get("f1"), 5)), "a pattern without a time has no hour");
  }
}
