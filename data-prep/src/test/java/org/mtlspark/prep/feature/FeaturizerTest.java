package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.SourceValues;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class FeaturizerTest {
  /** Two sources: a table with a numeric, a categorical and a hashed column and the labels; a text source. */
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [id]
        sources:
          - {name: table, format: csv, path: t, numeric: [x], categorical: [color], hashed: [user]}
          - {name: notes, format: json, path: n, text: body}
      prep:
        hashBuckets: 4
      tasks:
        - {name: r, type: regression, source: table, column: r}
        - {name: m, type: multiclass, source: table, column: m}
        - {name: b, type: binary, source: table, column: b}
        - {name: g, type: multilabel, source: table, column: g}
      """,
          "test.yaml");

  static final RecordLayout LAYOUT = new RecordLayout(CONFIG);
  static final FeaturizerState STATE =
      new FeaturizerState(
          List.of(ModelInputs.TABULAR, ModelInputs.TEXT),
          List.of("table.x"),
          List.of(10.0),
          List.of(2.0),
          true,
          List.of("table.color"),
          List.of(List.of("red", "blue")),
          List.of("table.user"),
          4,
          4,
          List.of("good", "bad"),
          2,
          2,
          List.of(
              new TaskEncoding("r", TaskType.REGRESSION, "r", 1, List.of(), List.of(), 50, 10, 9),
              new TaskEncoding(
                  "m",
                  TaskType.MULTICLASS,
                  "m",
                  1,
                  List.of("a", "b", "c"),
                  List.of(3L, 5L, 1L),
                  0,
                  1,
                  9),
              new TaskEncoding(
                  "b", TaskType.BINARY, "b", 1, List.of("0", "1"), List.of(4L, 5L), 0, 1, 9),
              new TaskEncoding(
                  "g",
                  TaskType.MULTILABEL,
                  "g",
                  1,
                  List.of("comedy", "drama", "war"),
                  List.of(4L, 5L, 1L),
                  0,
                  1,
                  9)));

  private static AlignedRecord record(SourceValues table, SourceValues notes) {
    return new AlignedRecord(
        "k", new SourceValues[] {table, notes}, AlignedRecord.Status.USABLE, null, new int[2]);
  }

  private static SourceValues table(double x, String color, String user, String... labels) {
    return new SourceValues(new double[] {x}, new String[] {color, user}, null, null, labels, null);
  }

  private static SourceValues text(String body) {
    return new SourceValues(new double[0], new String[0], body, null, new String[0], null);
  }

  @Test
  void everyModalityAndLabelKind() {
    Example e =
        new Featurizer(STATE, LAYOUT)
            .featurize(
                record(
                    table(
                        14,
                        "blue",
                        "u7",
                        "60",
                        "c",
                        "1",
                        "drama" + Keys.SEPARATOR + "war" + Keys.SEPARATOR + "noir"),
                    text("Good, good and UNSEEN!")));
    float[] expected = new float[2 + 3 + 4];
    expected[0] = 2f; // (14 - 10) / 2
    expected[1] = 0f; // not missing
    expected[3] = 1f; // blue
    expected[5 + Featurizer.bucket("u7", 4)] = 1f;
    assertArrayEquals(expected, e.tabular());
    assertArrayEquals(
        new float[] {3, 3, TextVocabulary.UNKNOWN, TextVocabulary.UNKNOWN}, e.tokens());
    assertArrayEquals(new float[] {1, 1, 1, 1}, e.tokenMask());
    assertEquals(0, e.pixels().length, "no image source, no image input");
    assertArrayEquals(new float[] {1, 1}, e.presence());
    assertArrayEquals(new float[] {1f}, e.labels()[0], "(60 - 50) / 10");
    assertArrayEquals(new float[] {0, 0, 1}, e.labels()[1]);
    assertArrayEquals(new float[] {1}, e.labels()[2]);
    assertArrayEquals(
        new float[] {0, 1, 1}, e.labels()[3], "multi-hot; an unseen label is left out");
    assertArrayEquals(new float[] {1, 1, 1, 1}, e.labelMask());
  }

  @Test
  void missingPartsAreZeroFlaggedAndMasked() {
    Example e =
        new Featurizer(STATE, LAYOUT)
            .featurize(record(table(Double.NaN, "green", null, null, "zzz", "0", null), null));
    assertArrayEquals(
        new float[] {0, 1, 0, 0, 1, 0, 0, 0, 0},
        e.tabular(),
        "missing number at the mean with its indicator set; unseen category in 'other'; no hashed value");
    assertArrayEquals(new float[] {TextVocabulary.NO_TEXT, 0, 0, 0}, e.tokens());
    assertArrayEquals(new float[] {1, 0, 0, 0}, e.tokenMask());
    assertArrayEquals(
        new float[] {1, 0}, e.presence(), "the text source has no row for the record");
    assertArrayEquals(
        new float[] {0, 0, 1, 0}, e.labelMask(), "missing labels and an unseen class are masked");
  }

  @Test
  void batchesCarryTheModalitiesInUseAndAMaskPerTask() {
    Featurizer f = new Featurizer(STATE, LAYOUT);
    MultiDataSet mds = BatchBuilder.build(List.of(f.padding(), f.padding()));
    assertEquals(STATE.inputs().size(), mds.getFeatures().length, "tabular, text, presence");
    assertArrayEquals(new long[] {2, 9}, mds.getFeatures(0).shape());
    assertArrayEquals(new long[] {2, 4}, mds.getFeaturesMaskArray(1).shape());
    assertArrayEquals(new long[] {2, 2}, mds.getFeatures(2).shape());
    assertArrayEquals(new long[] {2, 3}, mds.getLabels(3).shape());
    for (int t = 0; t < 4; t++) {
      assertArrayEquals(new long[] {2, 1}, mds.getLabelsMaskArray(t).shape());
      assertEquals(
          0.0,
          mds.getLabelsMaskArray(t).sumNumber().doubleValue(),
          "padding rows are fully masked");
    }
  }

  @Test
  void stateRoundTripsThroughJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    FeaturizerState back = json.readValue(json.writeValueAsString(STATE), FeaturizerState.class);
    assertEquals(STATE, back);
    Example a =
        new Featurizer(STATE, LAYOUT)
            .featurize(record(table(3, "red", "u1", "1", "a", "0", "war"), text("bad")));
    Example b =
        new Featurizer(back, LAYOUT)
            .featurize(record(table(3, "red", "u1", "1", "a", "0", "war"), text("bad")));
    assertArrayEquals(a.tabular(), b.tabular());
    assertArrayEquals(a.tokens(), b.tokens());
    assertTrue(a.labels()[3][2] == 1 && b.labels()[3][2] == 1);
  }

  @Test
  void hashedBucketsAreStableAndSpread() {
    assertEquals(Featurizer.bucket("user-42", 64), Featurizer.bucket("user-42", 64));
    long used =
        java.util.stream.IntStream.range(0, 1000)
            .map(i -> Featurizer.bucket("u" + i, 64))
            .distinct()
            .count();
    assertEquals(64, used, "1000 values fill all 64 buckets");
  }

  @Test
  void textIsTokenizedOnLettersAndDigits() {
    assertEquals(List.of("it", "s", "2x", "faster"), TextVocabulary.tokenize("It's 2x  FASTER!"));
  }

  /** Tokens as a regular expression splits them: the definition the tokenizer keeps to. */
  static List<String> regexTokens(String text) {
    return java.util.Arrays.stream(
            text.toLowerCase(java.util.Locale.ROOT).split("[^\\p{L}\\p{N}]+"))
        .filter(t -> !t.isEmpty())
        .toList();
  }

  @Test
  void tokensAreRunsOfUnicodeLettersAndDigits() {
    List<String> samples =
        List.of(
            "",
            "   ",
            "a",
            "!a!",
            "Ünïcödé wörds",
            "東京タワー 2024年",
            "x²+y³ = ½",
            "Ⅻ roman",
            "İstanbul",
            "snake_case-and.dots",
            "emoji \uD83D\uDE00 between",
            "lone \uD800 surrogate",
            "tab\tnew\nline",
            "ǅemal ﬁne",
            "٣٤ arabic digits");
    for (String s : samples) {
      assertEquals(regexTokens(s), TextVocabulary.tokenize(s), s);
    }
    java.util.Random random = new java.util.Random(7);
    for (int n = 0; n < 2000; n++) {
      StringBuilder b = new StringBuilder();
      for (int k = random.nextInt(20); k > 0; k--) {
        int kind = random.nextInt(8);
        int cp =
            kind < 2
                ? random.nextInt(0x80)
                : kind == 2
                    ? 0xD800 + random.nextInt(0x800)
                    : kind == 3 ? 0x10000 + random.nextInt(0x10000) : random.nextInt(0x3000);
        b.appendCodePoint(cp);
      }
      assertEquals(regexTokens(b.toString()), TextVocabulary.tokenize(b.toString()), b.toString());
    }
  }

  @Test
  void quantileBinsFollowEveryOtherTabularFeature() {
    FeaturizerState binned = STATE.withNumericEdges(List.of(List.of(8.0, 10.0, 12.0, 20.0)));
    assertEquals(2 + 3 + 4 + 3, binned.tabularWidth(), "three bins after the hashed buckets");
    Featurizer f = new Featurizer(binned, LAYOUT);
    float[] inside =
        f.featurize(record(table(14, "red", "u1", "60", "c", "1", "drama"), text("good")))
            .tabular();
    assertArrayEquals(
        new float[] {1f, 1f, 0.25f}, Arrays.copyOfRange(inside, 9, 12), "14 in [12, 20]");
    assertEquals(2f, inside[0], "the standardized value stays first");
    float[] below =
        f.featurize(record(table(3, "red", "u1", "60", "c", "1", "drama"), text("good"))).tabular();
    assertArrayEquals(new float[3], Arrays.copyOfRange(below, 9, 12), "below the first edge");
    float[] above =
        f.featurize(record(table(99, "red", "u1", "60", "c", "1", "drama"), text("good")))
            .tabular();
    assertArrayEquals(
        new float[] {1, 1, 1}, Arrays.copyOfRange(above, 9, 12), "above the last edge");
    float[] missing =
        f.featurize(record(table(Double.NaN, "red", "u1", "60", "c", "1", "drama"), text("good")))
            .tabular();
    assertArrayEquals(new float[3], Arrays.copyOfRange(missing, 9, 12), "a missing value");
    assertEquals(1f, missing[1], "the missing indicator");
  }

  @Test
  void binEdgesAreTheDistinctQuantilesAndNeedTwo() {
    assertEquals(
        List.of(0.0, 1.0, 3.0),
        FeaturizerFitter.edges(new double[] {0, 0, 0, 1, 1, 3, Double.NaN}),
        "a column with many equal values has fewer bins");
    assertEquals(List.of(), FeaturizerFitter.edges(new double[] {5, 5, 5}), "a constant column");
    assertEquals(List.of(), FeaturizerFitter.edges(new double[0]), "a column without values");
    assertEquals(0, STATE.binWidth(0), "a state without edges has no bins");
  }
}
