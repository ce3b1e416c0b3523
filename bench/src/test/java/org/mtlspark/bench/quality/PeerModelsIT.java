package org.mtlspark.bench.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.TaskMetrics;

/**
 * The peers on the task types the built-in data lacks: a log1p regression, an ordinal band and
 * multi-label tags, each a function of one feature, with labels missing on some rows. Both peers
 * learn every task (so each prediction reaches the accumulator in the encoding it scores), in the
 * label's own units, on exactly the test rows that have the task's label.
 */
class PeerModelsIT {
  @TempDir static Path dir;
  static PeerModels peers;
  static Map<String, TaskMetrics> gbt;
  static Map<String, TaskMetrics> linear;
  static int testBands;
  static int testTags;

  static final String EXPERIMENT =
      """
      data:
        key: [id, part]
        sources:
          - {name: people, format: csv, path: people.csv, numeric: [x]}
      prep:
        batchSize: 16
        partitions: "2"
        split: {by: part, named: true}
      tasks:
        - {name: income, type: regression, source: people, column: income, transform: log1p}
        - {name: band, type: ordinal, source: people, column: band, classes: [L, M, H, VH]}
        - {name: tags, type: multilabel, source: people, column: tags}
      """;

  @BeforeAll
  static void prepareAndFit() throws IOException {
    SparkSession spark = SharedSpark.get();
    List<String> lines = new ArrayList<>(List.of("id,part,x,income,band,tags"));
    for (int i = 0; i < 400; i++) {
      String part = i % 10 == 0 ? "test" : i % 10 == 1 ? "validation" : "train";
      double x = (i * 37 % 100) / 10.0;
      double income = Math.rint(Math.expm1(0.5 * x + (i % 7) / 20.0) * 100) / 100;
      String band = i % 13 == 0 ? "NA" : x < 2.5 ? "L" : x < 5 ? "M" : x < 7.5 ? "H" : "VH";
      String tags = i % 17 == 0 ? "NA" : (x < 5 ? "a" : "b") + (x > 7 ? "|c" : "");
      lines.add("p" + i + "," + part + "," + x + "," + income + "," + band + "," + tags);
      if (part.equals("test")) {
        testBands += band.equals("NA") ? 0 : 1;
        testTags += tags.equals("NA") ? 0 : 1;
      }
    }
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/people.csv"), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    MtlConfig config = ConfigLoader.fromYaml(EXPERIMENT, "peers.yaml");
    String prep = dir.resolve("prep").toString();
    new PrepJob(spark).run(config, dir.resolve("data").toString(), prep);
    peers = new PeerModels(spark, prep, "test", new PeerSettings(10, 3, 0.5, 1.0, 0.001, 100, 0));
    gbt = peers.evaluate(PeerModels.GBT, 7);
    linear = peers.evaluate(PeerModels.LINEAR, 7);
  }

  @AfterAll
  static void release() {
    peers.close();
  }

  @Test
  void everyPeerIsScoredOnTheTestRowsThatHaveTheTasksLabel() {
    for (Map<String, TaskMetrics> m : List.of(gbt, linear)) {
      assertEquals(40, m.get("income").examples());
      assertEquals(testBands, m.get("band").examples());
      assertEquals(testTags, m.get("tags").examples());
      assertTrue(testBands < 40 && testTags < 40, "some test labels are missing");
    }
  }

  @Test
  void bothPeersLearnTheOrdinalBandFromItsCumulativeTargets() {
    for (Map<String, TaskMetrics> m : List.of(gbt, linear)) {
      TaskMetrics band = m.get("band");
      assertEquals("macro_f1", band.primaryMetric());
      assertTrue(band.primaryValue() > 0.8, band.toString());
      assertTrue(band.metrics().get("mae") < 0.25, band.toString());
    }
  }

  @Test
  void bothPeersLearnEveryTag() {
    for (Map<String, TaskMetrics> m : List.of(gbt, linear)) {
      TaskMetrics tags = m.get("tags");
      assertEquals("micro_f1", tags.primaryMetric());
      // Always the most frequent tag (the baseline) scores about 0.5.
      assertTrue(tags.primaryValue() > 0.85, tags.toString());
      assertTrue(tags.metrics().get("macro_f1") > 0.8, tags.toString());
      assertTrue(tags.baseline().get("micro_f1") < 0.7, tags.toString());
    }
  }

  @Test
  void theRegressionIsScoredInTheLabelsOwnUnits() {
    for (Map<String, TaskMetrics> m : List.of(gbt, linear)) {
      TaskMetrics income = m.get("income");
      // Incomes reach expm1(5.25) = 190: an error of a standardized log target would be below 1.
      assertTrue(income.baseline().get("rmse") > 20, income.toString());
      assertTrue(income.primaryValue() < 0.5 * income.baseline().get("rmse"), income.toString());
    }
  }
}
