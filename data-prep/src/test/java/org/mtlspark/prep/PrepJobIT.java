package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.generate.SyntheticRecord;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.CsvDialect;
import org.mtlspark.prep.source.CsvRecordReader;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.linalg.dataset.MultiDataSet;

class PrepJobIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig config;
  static Manifest manifest;

  @BeforeAll
  static void generateAndPrepare() throws IOException {
    spark = SharedSpark.get();
    config =
        ConfigLoader.load(List.of(), List.of("generate.rows=1500", "generate.malformedRate=0.01"));
    new GenerateJob(spark).run(config, dir.resolve("data").toString());
    manifest =
        new PrepJob(spark)
            .run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
  }

  @Test
  void everySourceRowIsAcceptedOrRejectedAndRejectsAreWrittenWithTheirReason() throws IOException {
    Manifest.Counts c = manifest.counts();
    long rejected = 0;
    for (Manifest.SourceCount s : c.sources().values()) {
      assertEquals(s.rows(), s.accepted() + s.rejected());
      rejected += s.rejected();
    }
    // Labels: one row per generated record.
    assertEquals(1500, c.sources().get("labels").rows());
    // Tabular: one row per record that has one, however many lines its quoted note spans; only the
    // rows the generator made malformed are rejected.
    long tabular = 0;
    long tabularMalformed = 0;
    long multiLine = 0;
    for (int i = 0; i < 1500; i++) {
      SyntheticRecord r =
          new SyntheticRecord(
              config.generate().seed(),
              i,
              config.prep().image().width(),
              config.prep().image().height(),
              new SyntheticRecord.Rates(
                  config.generate().missingModalityRate(),
                  config.generate().missingLabelRate(),
                  config.generate().malformedRate(),
                  config.generate().noise()));
      tabular += r.hasTabular() ? 1 : 0;
      tabularMalformed += r.hasTabular() && r.tabularMalformed() ? 1 : 0;
      multiLine += r.hasTabular() && r.tabularCsv().contains("\n") ? 1 : 0;
    }
    assertTrue(multiLine > 100, "the generator writes multi-line notes: " + multiLine);
    assertEquals(tabular, c.sources().get("tabular").rows());
    assertEquals(tabularMalformed, c.sources().get("tabular").rejected());
    assertTrue(rejected > 0, "the generator writes malformed rows");
    assertEquals(rejected, c.rejected());
    List<String> rejectLines;
    try (Stream<Path> files = Files.list(dir.resolve("prep/rejects"))) {
      rejectLines =
          files
              .filter(p -> p.getFileName().toString().startsWith("part-"))
              .flatMap(p -> readLines(p).stream())
              .toList();
    }
    assertEquals(rejected, rejectLines.size());
    String tabularReject =
        rejectLines.stream()
            .filter(l -> l.contains("\"source\":\"tabular\""))
            .findFirst()
            .orElseThrow();
    assertTrue(
        tabularReject.matches(
            ".*\"file\":\"[^\"]+part-0000\\d\\.csv\".*\"line\":\\d+.*\"reason\":\"[^\"]+\".*"),
        tabularReject);
  }

  @Test
  void usableRecordsLandInExactlyOneSplitInFullBatchesWithMasks() throws IOException {
    long usable = manifest.counts().recordStatus().get("usable");
    long examples =
        manifest.splits().values().stream().mapToLong(Manifest.SplitSummary::examples).sum();
    assertEquals(usable, examples);
    assertTrue(manifest.splits().get("train").examples() > 0.7 * usable);

    Set<Integer> sizes = new HashSet<>();
    Path trainDir = dir.resolve("prep/batches/train");
    List<Path> packs;
    try (Stream<Path> s = Files.list(trainDir)) {
      packs = s.filter(p -> p.toString().endsWith(BatchPack.EXTENSION)).sorted().toList();
    }
    assertEquals(
        manifest.splits().get("train").files().keySet(),
        packs.stream()
            .map(p -> p.getFileName().toString())
            .collect(java.util.stream.Collectors.toSet()),
        "the manifest lists every batch pack");
    assertTrue(packs.size() <= partitions(), "at most one pack per partition");
    List<String> refs = new ArrayList<>();
    for (Path p : packs) {
      refs.addAll(BatchFiles.references(new Configuration(), p.toUri().toString()));
    }
    assertEquals(manifest.splits().get("train").batches(), refs.size());
    long maskedRows = 0;
    for (String ref : refs) {
      MultiDataSet mds = BatchFiles.read(new Configuration(), ref);
      sizes.add((int) mds.getFeatures(0).size(0));
      assertEquals(4, mds.getFeatures().length, "tabular, text, image, presence");
      assertEquals(3, mds.getLabels().length);
      for (int t = 0; t < 3; t++) {
        assertNotNull(mds.getLabelsMaskArray(t), "every batch carries a label mask for every task");
        assertEquals(1, mds.getLabelsMaskArray(t).size(1));
      }
      assertNotNull(mds.getFeaturesMaskArray(1), "the text input carries its token mask");
      maskedRows +=
          mds.getLabelsMaskArray(0).length() - mds.getLabelsMaskArray(0).sumNumber().longValue();
    }
    assertEquals(
        Set.of(config.prep().batchSize()), sizes, "every stored batch has exactly the batch size");
    long padding = manifest.splits().get("train").paddingRows();
    long labelledSpend = manifest.splits().get("train").labelled().get("spend");
    assertEquals(refs.size() * (long) config.prep().batchSize() - labelledSpend, maskedRows);
    assertTrue(padding < (long) partitions() * config.prep().batchSize());
  }

  /** The partitions prep chose: with {@code prep.partitions: auto} and a few kB of sources, four. */
  static int partitions() {
    int chosen = config.prep().partitionsFor(1 << 20);
    assertEquals(4, chosen);
    return chosen;
  }

  @Test
  void eachPartitionWritesAPackPerSplit() {
    for (Manifest.SplitSummary split : manifest.splits().values()) {
      assertEquals(
          partitions(), split.files().size(), "every partition holds records of every split");
    }
  }

  @Test
  void examplesAreWrittenAsParquetOneRowPerRecord() {
    var train = spark.read().parquet(dir.resolve("prep/examples/train").toString());
    assertEquals(manifest.splits().get("train").examples(), train.count());
    assertEquals(
        List.of(
            "key",
            "tabular",
            "text",
            "image",
            "presence",
            "label_spend",
            "mask_spend",
            "label_tier",
            "mask_tier",
            "label_churn",
            "mask_churn"),
        List.of(train.columns()));
    // Text: the token ids without the padding, at least one (the "no text" id when there is none).
    assertEquals(
        DataTypes.createArrayType(DataTypes.IntegerType), train.schema().apply("text").dataType());
    Row lengths = train.selectExpr("min(size(text))", "max(size(text))").first();
    assertEquals(1, lengths.getInt(0));
    assertTrue(
        lengths.getInt(1) > 1 && lengths.getInt(1) <= manifest.featurizers().maxTokens(),
        lengths.toString());
    assertEquals(
        0,
        train.filter("presence[1] = 0 and not (size(text) = 1 and text[0] = 2)").count(),
        "a record without text has the one no-text id");
    assertTrue(train.filter("presence[1] = 0").count() > 0, "some records lack text");
    assertEquals(
        0, train.filter("presence[1] = 1 and exists(text, t -> t < 1)").count(), "no padding id");
    assertEquals(
        manifest.splits().get("train").labelled().get("spend"),
        train.filter("mask_spend = 1.0").count());
  }

  @Test
  void eachPartitionWritesItsRecordsInTheSeededOrderOfTheirSplit() throws IOException {
    SplitOrder order =
        new SplitOrder(
            KeySplit.of(config.prep().split(), config.data().key()), config.run().seed());
    for (String split : List.of("train", "test")) {
      List<Path> files;
      try (Stream<Path> s = Files.list(dir.resolve("prep/examples/" + split))) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
      }
      assertTrue(files.size() > 1, "several partitions wrote " + split);
      for (Path file : files) {
        List<String> keys =
            spark.read().parquet(file.toString()).select("key").collectAsList().stream()
                .map(r -> r.getString(0))
                .toList();
        assertTrue(
            keys.stream().allMatch(k -> order.split(k).id().equals(split)),
            file + " holds " + split + " only");
        List<String> sorted = new ArrayList<>(keys);
        sorted.sort(Comparator.comparingLong(order::position));
        assertEquals(sorted, keys, file + " in position order");
        if (split.equals("train")) {
          assertFalse(
              keys.equals(keys.stream().sorted().toList()),
              "training records are not in key order");
        }
      }
    }
    var schema = spark.read().parquet(dir.resolve("prep/examples/train").toString()).schema();
    assertEquals(
        DataTypes.createArrayType(DataTypes.FloatType),
        schema.apply("tabular").dataType(),
        "vectors read back as arrays of floats");
  }

  @Test
  void featurizersAreFitOnTheTrainingSplitOnly() throws IOException {
    // Recompute the mean of 'visits' from the tabular source over training keys only.
    KeySplit split =
        new KeySplit(
            config.prep().split().train(),
            config.prep().split().validation(),
            config.prep().split().salt());
    double sum = 0;
    long n = 0;
    double sumAll = 0;
    long nAll = 0;
    try (Stream<Path> files = Files.list(dir.resolve("data/tabular"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".csv")).sorted().toList()) {
        List<List<String>> records = new java.util.ArrayList<>();
        try (java.io.Reader in = Files.newBufferedReader(f)) {
          CsvRecordReader reader = new CsvRecordReader(in, CsvDialect.RFC_4180, 1);
          for (var r = reader.next(); r != null; r = reader.next()) {
            records.add(r.cells());
          }
        }
        for (List<String> record : records.subList(1, records.size())) {
          String[] cells = record.toArray(String[]::new);
          if (cells.length != 9 || cells[3].equals("NA")) {
            continue;
          }
          double v;
          try {
            v = Double.parseDouble(cells[3]);
          } catch (NumberFormatException e) {
            continue;
          }
          sumAll += v;
          nAll++;
          if (split.assign(cells[0]) == Split.TRAIN) {
            sum += v;
            n++;
          }
        }
      }
    }
    double trainMean = sum / n;
    double allMean = sumAll / nAll;
    double fitted = manifest.featurizers().means().get(2);
    // Records without any label are left out of training, so the fitted mean may differ from
    // the training rows' mean by a little; it must be closer to it than to the all-rows mean.
    assertTrue(
        Math.abs(trainMean - allMean) > 1e-3, "train and all-rows means differ on this data");
    assertTrue(
        Math.abs(fitted - trainMean) < Math.abs(fitted - allMean),
        "fitted " + fitted + ", train " + trainMean + ", all " + allMean);
  }

  @Test
  void tasksAreEncodedFromTrainingLabels() {
    var tier = manifest.featurizers().tasks().get(1);
    assertEquals(List.of("bronze", "gold", "silver"), tier.classes());
    assertEquals(tier.trainLabels(), tier.classCounts().stream().mapToLong(Long::longValue).sum());
    var spend = manifest.featurizers().tasks().get(0);
    assertTrue(spend.std() > 10, "spend varies in tens: " + spend.std());
  }

  @Test
  void existingOutputIsRefused() {
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                new PrepJob(spark)
                    .run(config, dir.resolve("data").toString(), dir.resolve("prep").toString()));
    assertTrue(e.getMessage().contains("already exists"));
  }

  @Test
  void tooManyRejectsFailsNamingTheRejectsAndLeavesNoOutput() throws IOException {
    MtlConfig strict = ConfigLoader.load(List.of(), List.of("prep.maxRejectFraction=0.0001"));
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new PrepJob(spark)
                    .run(strict, dir.resolve("data").toString(), dir.resolve("strict").toString()));
    assertTrue(e.getMessage().contains("prep.maxRejectFraction"), e.getMessage());
    assertTrue(e.getMessage().contains("by reason: {"), e.getMessage());
    assertFalse(Files.exists(dir.resolve("strict")), "no output that looks complete");
    assertTrue(e.getMessage().contains("the first: source "), e.getMessage());
    try (var left = Files.list(dir)) {
      assertEquals(
          List.of(),
          left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".strict-")).toList(),
          "the failed run's staging folder is removed");
    }
  }

  private static List<String> readLines(Path p) {
    try {
      return Files.readAllLines(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
