package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.testing.SharedSpark;

/**
 * Labels as people have them, through a whole prep on a file built to force each outcome: yes/no
 * binary labels, a good/bad column with a positive value, a multiclass column with three frequent
 * and five rare training classes (minClassCount 3), a log1p income, and rows rejected for each
 * label rule. The split is named by a key column, so the training counts are known exactly.
 */
class LabelsPrepIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest manifest;

  static final String EXPERIMENT =
      """
      data:
        key: [id, part]
        sources:
          - {name: people, format: csv, path: people.csv, numeric: [x]}
      prep:
        maxRejectFraction: 0.5
        batchSize: 4
        partitions: "2"
        split: {by: part, named: true}
      tasks:
        - {name: paid, type: binary, source: people, column: paid}
        - {name: credit, type: binary, source: people, column: credit, positive: good}
        - {name: kind, type: multiclass, source: people, column: kind, minClassCount: 3}
        - {name: income, type: regression, source: people, column: income, transform: log1p}
      """;

  /** Training rows: kind cat 6, dog 5, eel 4; fox 2, gnu, hen, ibis, jay 1 each (rare). */
  static final String[] TRAIN_KINDS = {
    "cat", "cat", "cat", "cat", "cat", "cat", "dog", "dog", "dog", "dog", "dog", "eel", "eel",
    "eel", "eel", "fox", "fox", "gnu", "hen", "ibis", "jay"
  };

  /** paid: 9 of the usual spellings of true, 12 of false. */
  static final String[] TRAIN_PAID = {
    "yes", "Yes", "Y", "y", "TRUE", "t", "1", "1.0", "YES", "no", "No", "N", "n", "false", "F", "0",
    "0.0", "NO", "no", "n", "f"
  };

  /** credit: 5 good (any case), the rest bad or anything else. */
  static final String[] TRAIN_CREDIT = {
    "good", "Good", "GOOD", "good", "good", "bad", "bad", "unknown", "bad", "bad", "bad", "bad",
    "bad", "bad", "bad", "bad", "bad", "bad", "bad", "bad", "bad"
  };

  /** income: 0, 9 and 99 in turn: log1p 0, ln 10, ln 100. */
  static final int[] INCOMES = {0, 9, 99};

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    List<String> lines = new ArrayList<>(List.of("id,part,x,paid,credit,kind,income"));
    for (int i = 0; i < TRAIN_KINDS.length; i++) {
      lines.add(
          "t"
              + i
              + ",train,"
              + i
              + ","
              + TRAIN_PAID[i]
              + ","
              + TRAIN_CREDIT[i]
              + ","
              + TRAIN_KINDS[i]
              + ","
              + INCOMES[i % 3]);
    }
    lines.add("v0,validation,1,yes,good,cat,5");
    lines.add("v1,validation,2,no,bad,dog,5");
    lines.add("s0,test,1,yes,good,fox,1"); // a merged class
    lines.add("s1,test,2,no,bad,zebra,1"); // a value never seen in training
    lines.add("s2,test,3,y,bad,cat,1");
    lines.add("r0,train,1,maybe,good,cat,1");
    lines.add("r1,train,1,2,good,cat,1");
    lines.add("r2,train,1,yes,good,cat,-5");
    lines.add("r3,train,1,yes");
    manifest = CsvPrep.run(spark, dir, EXPERIMENT, "people.csv", lines);
  }

  private static TaskEncoding task(Manifest m, String name) {
    return m.featurizers().tasks().stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void rejectsAreGroupedWithTheirRulesSpeltOut() {
    Map<String, Long> expected =
        new TreeMap<>(
            Map.of(
                "people.paid: not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"…\"", 2L,
                "people.income: not a label for transform log1p (a finite number above -1): \"…\"",
                    1L,
                "people.(row): expected N cells, found N", 1L));
    assertEquals(expected, new TreeMap<>(manifest.counts().rejectsByReason()));
  }

  @Test
  void binaryLabelsInEverySpellingAndAPositiveValueAreCounted() {
    assertEquals(List.of(12L, 9L), task(manifest, "paid").classCounts());
    assertEquals(List.of(16L, 5L), task(manifest, "credit").classCounts());
  }

  @Test
  void rareTrainingClassesAreMergedAndTheManifestOnDiskSaysSo() throws IOException {
    Manifest onDisk =
        Manifest.read(spark.sparkContext().hadoopConfiguration(), dir.resolve("prep").toString());
    TaskEncoding kind = task(onDisk, "kind");
    assertEquals(List.of("cat", "dog", "eel", "other"), kind.classes());
    assertEquals(List.of(6L, 5L, 4L, 6L), kind.classCounts());
    assertEquals("other", kind.otherClass());
    assertEquals(List.of("fox", "gnu", "hen", "ibis", "jay"), kind.mergedClasses());
    assertEquals(6, kind.mergedRows());
    assertEquals(21, kind.trainLabels());
  }

  @Test
  void mergedAndUnseenValuesAreEncodedAsTheOtherClass() {
    Map<String, Integer> classOfKey = new TreeMap<>();
    for (Row r :
        spark
            .read()
            .parquet(dir.resolve("prep/examples/test").toString())
            .selectExpr("key", "array_position(label_kind, cast(1.0 as float)) - 1", "mask_kind")
            .collectAsList()) {
      assertEquals(1.0f, r.getFloat(2), "every test row is labelled for kind");
      classOfKey.put(Keys.display(r.getString(0)), (int) r.getLong(1));
    }
    assertEquals(Map.of("s0, test", 3, "s1, test", 3, "s2, test", 0), classOfKey);
  }

  @Test
  void aLog1pTargetIsStandardizedOnTheLogScale() {
    TaskEncoding income = task(manifest, "income");
    assertEquals(TaskConfig.Transform.LOG1P, income.transform());
    // Seven each of 0, ln 10 and ln 100.
    double mean = (Math.log(10) + Math.log(100)) / 3;
    double sd =
        Math.sqrt((Math.pow(Math.log(10), 2) + Math.pow(Math.log(100), 2)) / 3 - mean * mean);
    assertEquals(mean, income.mean(), 1e-9);
    assertEquals(sd, income.std(), 1e-9);
    assertEquals(99.0, income.label(income.target(99.0)), 1e-9);
  }
}
