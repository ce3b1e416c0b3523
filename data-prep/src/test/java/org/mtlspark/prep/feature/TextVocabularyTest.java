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
  void whitespaceTokensKeepPunctuationAndCaseWhenAsked() {
    String text = "  Mr. Bush didn't  go\tto Paris . ";
    assertEquals(
        List.of("mr.", "bush", "didn't", "go", "to", "paris", "."),
        TextVocabulary.tokenize(text, true, false));
    assertEquals(
        List.of("Mr.", "Bush", "didn't", "go", "to", "Paris", "."),
        TextVocabulary.tokenize(text, true, true));
    assertEquals(
        List.of("Mr", "Bush", "didn", "t", "go", "to", "Paris"),
        TextVocabulary.tokenize(text, false, true));
    assertEquals(List.of(), TextVocabulary.tokenize(" \t ", true, true));
    TextVocabulary v = new TextVocabulary(List.of("Paris", "."), 0, true, true);
    float[] ids = new float[4];
    float[] mask = new float[4];
    v.encode("paris Paris .", 4, ids, mask);
    assertArrayEquals(new float[] {U, F, F + 1, 0}, ids, "case kept: paris is not Paris");
    assertEquals(3, v.tokensOf("paris Paris .").size());
    assertEquals(F + 1, v.id("."));
  }

  @Test
  void aWordOutsideTheVocabularyTakesItsShapesIdWhenAsked() {
    assertEquals(
        List.of(0, 1, 2, 3, 4, 4, 5, 6, 0),
        List.of("Paris", "NASA", "paris", "2024", "3.5", "4th", "--", "iPhone", "A").stream()
            .map(TextVocabulary::shape)
            .toList());
    TextVocabulary v = new TextVocabulary(List.of("met"), 0, true, true, true);
    int shapes = F + 1; // after the one word
    assertEquals(F + 1 + TextVocabulary.SHAPES, v.size());
    float[] ids = new float[4];
    float[] mask = new float[4];
    v.encode("Bob met ACME 42", 4, ids, mask);
    assertArrayEquals(new float[] {shapes, F, shapes + 1, shapes + 3}, ids);
    assertEquals(shapes, v.id("Zed"));
    assertEquals(U, new TextVocabulary(List.of("met"), 0, true, true).id("Zed"), "shapes off");
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

  @Test
  void charTrigramsRunBetweenBoundaryMarksByCodePoint() {
    assertEquals(List.of("<te", "tea", "ea>"), TextVocabulary.charTrigrams("tea"));
    assertEquals(List.of("<a>"), TextVocabulary.charTrigrams("a"));
    // A letter outside the Basic Multilingual Plane is one character of a trigram, not two.
    assertEquals(
        List.of("<\uD835\uDC00b", "\uD835\uDC00b>"), TextVocabulary.charTrigrams("\uD835\uDC00b"));
  }

  @Test
  void withCharBucketsAWordOutsideTheVocabularyIsItsHashedTrigrams() {
    int buckets = 1000;
    TextVocabulary v = new TextVocabulary(List.of("very", "tasty"), buckets);
    assertEquals(F + 2 + buckets, v.size(), "the buckets' ids follow the vocabulary's");
    float[] ids = new float[10];
    float[] mask = new float[10];
    v.encode("very tastey", 10, ids, mask);
    int c = F + 2;
    List<String> grams = List.of("<ta", "tas", "ast", "ste", "tey", "ey>");
    float[] want = new float[10];
    want[0] = F;
    for (int i = 0; i < grams.size(); i++) {
      want[1 + i] = c + Math.floorMod(grams.get(i).hashCode(), buckets);
    }
    assertArrayEquals(want, ids, "very, then the 6 trigrams of the misspelt word");
    assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, mask);
    // The same trigram is the same id in every word: "tastey" and "pastey" share 4 of 6.
    float[] other = new float[10];
    v.encode("pastey", 10, other, new float[10]);
    java.util.Set<Float> a = new java.util.HashSet<>();
    java.util.Set<Float> b = new java.util.HashSet<>();
    for (int i = 1; i <= 6; i++) {
      a.add(ids[i]);
      b.add(other[i - 1]);
    }
    a.retainAll(b);
    assertEquals(4, a.size(), "shared trigrams ast, ste, tey, ey>");
    for (float id : ids) {
      org.junit.jupiter.api.Assertions.assertTrue(id < v.size(), "every id inside the table");
    }
  }

  @Test
  void trigramsStopAtTheLengthAndABucketIsAStableFunctionOfTheTrigram() {
    TextVocabulary v = new TextVocabulary(List.of(), 16);
    float[] ids = new float[3];
    float[] mask = new float[3];
    v.encode("abcdef", 3, ids, mask);
    assertArrayEquals(new float[] {1, 1, 1}, mask);
    // Java defines String.hashCode: "<ab" is 60*31^2 + 97*31 + 98 = 60765, and 60765 mod 16 = 13.
    assertEquals(13, TextVocabulary.charBucket("<ab", 16));
    assertEquals(F + 13, ids[0]);
    assertEquals(U, encodeOne(new TextVocabulary(List.of()), "abcdef"), "no buckets: unknown");
  }

  private static float encodeOne(TextVocabulary v, String text) {
    float[] ids = new float[1];
    v.encode(text, 1, ids, new float[1]);
    return ids[0];
  }
}
