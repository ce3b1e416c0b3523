package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.operate.embed.EmbedJob;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Reject;

/** The prep report prints rejects grouped by their rules and what was done to the labels. */
class ReportsTest {
  private static Manifest manifest(Map<String, Long> rejectsByReason) {
    TaskEncoding kind =
        new TaskEncoding(
            "kind",
            TaskConfig.TaskType.MULTICLASS,
            "kind",
            1,
            List.of("cat", "dog", "eel", "other"),
            List.of(6L, 5L, 4L, 6L),
            0,
            1,
            21,
            TaskConfig.Loss.MSE,
            1,
            TaskConfig.Transform.NONE,
            "other",
            List.of("fox", "gnu", "hen", "ibis", "jay"),
            6);
    TaskEncoding income =
        new TaskEncoding(
            "income",
            TaskConfig.TaskType.REGRESSION,
            "income",
            1,
            List.of(),
            List.of(),
            2.5,
            1.25,
            21,
            TaskConfig.Loss.MSE,
            1,
            TaskConfig.Transform.LOG1P,
            "",
            List.of(),
            0);
    FeaturizerState state =
        new FeaturizerState(
            List.of(ModelInputs.TABULAR),
            List.of("people.x"),
            List.of(0.0),
            List.of(1.0),
            false,
            List.of(),
            List.of(),
            List.of(),
            4,
            4,
            List.of(),
            2,
            2,
            List.of(kind, income),
            List.of("people.id"),
            List.of(List.of("p1", "p2", "p3")),
            List.of(),
            0);
    long rejected = rejectsByReason.values().stream().mapToLong(Long::longValue).sum();
    Manifest.Counts counts =
        new Manifest.Counts(
            Map.of("people", new Manifest.SourceCount(1, 25, 21, rejected, 0)),
            21,
            0,
            Map.of("usable", 21L),
            Map.of("tabular", 21L),
            rejected,
            rejectsByReason);
    Map<String, Manifest.SplitSummary> splits = new LinkedHashMap<>();
    splits.put(
        "train",
        new Manifest.SplitSummary(
            "batches/train", 16, 4, 0, Map.of(), Map.of("people.id", 2L), Map.of()));
    splits.put(
        "test",
        new Manifest.SplitSummary(
            "batches/test", 5, 2, 3, Map.of(), Map.of("people.id", 2L), Map.of()));
    return new Manifest(Manifest.FORMAT_VERSION, "now", 4, List.of(), state, splits, counts);
  }

  @Test
  void rejectsAreCountedUnderTheirRuleAndMergedClassesAreNamed() {
    Map<String, Long> byReason = new TreeMap<>();
    for (Reject r :
        List.of(
            new Reject(
                "people",
                "p.csv",
                3,
                "a",
                "paid",
                "not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"2\"",
                ""),
            new Reject(
                "people",
                "p.csv",
                4,
                "b",
                "paid",
                "not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"x\"",
                ""),
            new Reject("people", "p.csv", 5, "c", "(row)", "expected 7 cells, found 4", ""),
            new Reject(
                "people",
                "p.csv",
                6,
                "d",
                "income",
                "not a label for transform log1p (a finite number above -1): \"-5\"",
                ""))) {
      byReason.merge(r.category(), 1L, Long::sum);
    }
    String report = Reports.prepSummary(manifest(byReason));
    List<String> lines = List.of(report.split("\n"));
    for (String expected :
        List.of(
            "  rejects by reason:",
            "          1  people.(row): expected N cells, found N",
            "          1  people.income: not a label for transform log1p (a finite number above -1): \"…\"",
            "          2  people.paid: not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"…\"",
            "    kind         multiclass      21 labelled  classes: cat 28.6%, other 28.6%, dog 23.8%, eel 19.0%;"
                + " 5 rare classes (6 rows) merged into other",
            "  ids people.id: 3 in the vocabulary; examples out of it (index 0): train 12.5%, test 40.0%",
            "    income       regression      21 labelled  mean 2.500, sd 1.250 (of log1p)")) {
      assertTrue(lines.contains(expected), "missing line\n" + expected + "\nin\n" + report);
    }
  }

  @Test
  void embedSaysWhatItReadAndHowToUseTheVectors() {
    EmbedJob.Summary s =
        new EmbedJob.Summary(
            "t",
            "reviews",
            "vectors.bin",
            "binary",
            List.of("train", "validation"),
            5000,
            4000,
            302325,
            13243,
            7242,
            32,
            5,
            2,
            5,
            1,
            42,
            3,
            34.46);
    String text = Reports.embedSummary(s, "hdfs:///mtl/vectors");
    assertTrue(text.startsWith("Word vectors (binary, 32 values a word):"), text);
    assertTrue(
        text.contains(
            "texts: 4000 of 5000 records (splits train,validation, source reviews), 302325 tokens,"
                + " 13243 distinct words"),
        text);
    assertTrue(
        text.contains("words with a vector: 7242 (seen at least 2 times); 3 rejected rows"), text);
    assertTrue(
        text.contains("use them: --set prep.text.vectors=hdfs:///mtl/vectors/vectors.bin (34.5 s)"),
        text);
  }

  @Test
  void theWordVectorsCoverageIsReportedWhenThereAreVectors() {
    Manifest plain = manifest(Map.of());
    assertTrue(!Reports.prepSummary(plain).contains("word vectors"));
    Manifest withVectors =
        new Manifest(
            plain.formatVersion(),
            plain.createdAt(),
            plain.batchSize(),
            plain.inputs(),
            plain.featurizers(),
            plain.splits(),
            plain.counts(),
            new Manifest.TextVectors(
                "hdfs:///vectors/glove.txt", "text-vectors.bin", 50, 400, 385));
    List<String> lines = List.of(Reports.prepSummary(withVectors).split("\n"));
    String expected =
        "  word vectors: 385 of 400 vocabulary tokens (96.3%) have one of 50 values in"
            + " hdfs:///vectors/glove.txt";
    assertTrue(lines.contains(expected), String.join("\n", lines));
  }
}
