package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TextVocabularyTest {
  private static final int F = TextVocabulary.FIRST_TOKEN;
  private static final int U = TextVocabulary.UNKNOWN;

  @Test
  void termsInterleaveWordPairsAfterTheirFirstWord() {
    assertEquals(List.of("not", "good", "at", "all"), TextVocabulary.terms("Not good, at all", 1));
    assertEquals(
        List.of("not", "not good", "good", "good at", "at", "at all", "all"),
        TextVocabulary.terms("Not good, at all", 2));
    assertEquals(List.of("one"), TextVocabulary.terms("one", 2));
  }

  @Test
  void aPairTakesAPositionOnlyWhenTheVocabularyHoldsIt() {
    TextVocabulary v = new TextVocabulary(List.of("not", "good", "not good", "all"));
    float[] ids = new float[8];
    float[] mask = new float[8];
    v.encode("not good at all", 8, ids, mask);
    // not, "not good", good, at (unknown), all; "good at" and "at all" are not in the vocabulary.
    assertArrayEquals(new float[] {F, F + 2, F + 1, U, F + 3, 0, 0, 0}, ids);
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 0, 0, 0}, mask);
  }

  @Test
  void aVocabularyOfWordsEncodesWordsAlone() {
    TextVocabulary v = new TextVocabulary(List.of("not", "good"));
    float[] ids = new float[3];
    float[] mask = new float[3];
    v.encode("not good not good", 3, ids, mask);
    assertArrayEquals(new float[] {F, F + 1, F}, ids, "cut at the length, no pairs");
    assertArrayEquals(new float[] {1, 1, 1}, mask);
  }

  @Test
  void pairsCountTowardsTheLength() {
    TextVocabulary v = new TextVocabulary(List.of("a", "b", "a b"));
    float[] ids = new float[2];
    float[] mask = new float[2];
    v.encode("a b", 2, ids, mask);
    assertArrayEquals(new float[] {F, F + 2}, ids);
  }
}
