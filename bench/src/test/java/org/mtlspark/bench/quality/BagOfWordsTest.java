package org.mtlspark.bench.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;

class BagOfWordsTest {
  static final int W = TextVocabulary.FIRST_TOKEN;

  @Test
  void countsEachVocabularyWordAndSkipsTheReservedIds() {
    // Word 4 three times, word 0 once, word 2 twice; padding, unknown and "no text" ids are no
    // words.
    int[] ids = {
      W + 4,
      TextVocabulary.PAD,
      W + 2,
      TextVocabulary.UNKNOWN,
      W + 4,
      W,
      TextVocabulary.NO_TEXT,
      W + 2,
      W + 4
    };
    BagOfWords bag = BagOfWords.of(ids, 5);
    assertArrayEquals(new int[] {0, 2, 4}, bag.indices());
    assertArrayEquals(new double[] {1, 2, 3}, bag.counts());
  }

  @Test
  void aTextWithoutWordsIsAnEmptyBagAndIdsBeyondTheVocabularyAreSkipped() {
    assertEquals(0, BagOfWords.of(new int[] {TextVocabulary.NO_TEXT}, 5).size());
    assertEquals(0, BagOfWords.of(new int[0], 5).size());
    BagOfWords bag = BagOfWords.of(new int[] {W + 5, W + 1}, 5);
    assertArrayEquals(new int[] {1}, bag.indices());
  }

  /**
   * Two standardized numeric columns "t.a" and "t.b", the given modalities and vocabulary, a 2 x 1
   * image and one regression task.
   */
  private static FeaturizerState twoNumbers(List<String> modalities, List<String> vocabulary) {
    return new FeaturizerState(
        modalities,
        List.of("t.a", "t.b"),
        List.of(0.0, 0.0),
        List.of(1.0, 1.0),
        false,
        List.of(),
        List.of(),
        List.of(),
        0,
        8,
        vocabulary,
        2,
        1,
        List.of(
            new TaskEncoding(
                "s", TaskConfig.TaskType.REGRESSION, "s", 1, List.of(), List.of(), 0, 1, 10)));
  }

  @Test
  void theFeatureVectorIsTabularThenWordCountsThenPixelsThenPresence() {
    FeaturizerState state =
        twoNumbers(
            List.of(ModelInputs.TABULAR, ModelInputs.TEXT, ModelInputs.IMAGE),
            List.of("x", "y", "z"));
    PeerFeatures features = new PeerFeatures(state);
    // 2 tabular + 3 words + 2 pixels + 3 presence flags.
    assertEquals(10, features.size());
    Vector v =
        features.vector(
            List.of(0.5f, -1.25f),
            List.of(W + 2, TextVocabulary.UNKNOWN, W + 2, W),
            List.of(0f, 0.75f),
            List.of(1f, 1f, 0f));
    assertArrayEquals(new double[] {0.5, -1.25, 1, 0, 2, 0, 0.75, 1, 1, 0}, v.toArray(), 1e-6);
    Vector empty = features.vector(List.of(0f, 0f), null, List.of(), List.of(1f, 0f, 0f));
    assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, empty.toArray(), 1e-6);
  }

  @Test
  void aWordCapKeepsTheMostFrequentWordsOnly() {
    FeaturizerState state =
        twoNumbers(List.of(ModelInputs.TABULAR, ModelInputs.TEXT), List.of("x", "y", "z"));
    PeerFeatures features = new PeerFeatures(state, 2);
    // 2 tabular + the first 2 words ("x", "y") + 2 presence flags; "z" (W + 2) is not counted.
    assertEquals(6, features.size());
    Vector v = features.vector(List.of(0.5f, 0f), List.of(W + 2, W + 1, W + 2, W), List.of(1f, 1f));
    assertArrayEquals(new double[] {0.5, 0, 1, 1, 1, 1}, v.toArray(), 1e-6);
    assertEquals(3, new PeerFeatures(state, 5).size() - 4, "a cap above the vocabulary: all words");
  }

  @Test
  void anIdentifierColumnIsOneFeatureHoldingItsVocabularyIndex() {
    FeaturizerState state =
        twoNumbers(List.of(ModelInputs.TABULAR), List.of())
            .withIds(List.of("t.user"), List.of(List.of("u1", "u2", "u3")));
    PeerFeatures features = new PeerFeatures(state);
    // 2 tabular + 1 identifier + 2 presence flags (tabular, ids).
    assertEquals(5, features.size());
    Vector v = features.vector(List.of(0.5f, 0f), List.of(3f), List.of(1f, 1f));
    assertArrayEquals(new double[] {0.5, 0, 3, 1, 1}, v.toArray(), 1e-6);
  }
}
