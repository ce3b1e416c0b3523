package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;

/**
 * Character trigrams through a whole prep: the training reviews use three words, each many times;
 * the test reviews hold a misspelt word and a known one. The split is named by a key column.
 */
class CharTrigramsIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest manifest;

  static final int BUCKETS = 100;

  static final String EXPERIMENT =
      """
      data:
        key: [id, part]
        sources:
          - {name: t, format: csv, path: t.csv, text: review}
      prep:
        text: {charBuckets: 100, maxTokens: "16"}
        batchSize: 4
        partitions: "2"
        split: {by: part, named: true}
      tasks:
        - {name: y, type: binary, source: t, column: y, positive: "1"}
      """;

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    List<String> lines = new ArrayList<>(List.of("id,part,review,y"));
    for (int i = 1; i <= 40; i++) {
      lines.add("t" + i + ",train," + (i % 2 == 0 ? "good food" : "bad taste") + "," + i % 2);
    }
    lines.add("v1,validation,good food,1");
    lines.add("s1,test,delicous food,1");
    lines.add("s2,test,Good,1");
    manifest = CsvPrep.run(spark, dir, EXPERIMENT, "t.csv", lines);
  }

  @Test
  void theBucketsFollowTheVocabularyAndSurviveTheManifest() throws IOException {
    FeaturizerState state = CsvPrep.readState(spark, dir);
    assertEquals(BUCKETS, state.charBuckets());
    assertEquals(4, state.vocabulary().size(), "good, food, bad, taste: " + state.vocabulary());
    assertEquals(TextVocabulary.FIRST_TOKEN + 4 + BUCKETS, state.textVocabularySize());
  }

  @Test
  void aWordOutsideTheVocabularyIsWrittenAsItsTrigramsAndAKnownWordAsItself() {
    Map<String, List<Integer>> text = CsvPrep.examples(spark, dir, "test", "text");
    List<String> vocabulary = manifest.featurizers().vocabulary();
    int food = TextVocabulary.FIRST_TOKEN + vocabulary.indexOf("food");
    int firstBucket = TextVocabulary.FIRST_TOKEN + vocabulary.size();
    List<Integer> expected = new ArrayList<>();
    for (String gram : List.of("<de", "del", "eli", "lic", "ico", "cou", "ous", "us>")) {
      expected.add(firstBucket + TextVocabulary.charBucket(gram, BUCKETS));
    }
    expected.add(food);
    assertEquals(expected, text.get("s1, test"), "8 trigrams of delicous, then food");
    assertEquals(
        List.of(TextVocabulary.FIRST_TOKEN + vocabulary.indexOf("good")),
        text.get("s2, test"),
        "a known word is its own id, in any case");
  }
}
