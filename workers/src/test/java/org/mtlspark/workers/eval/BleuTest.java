package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BleuTest {
  static double bleu(int[] candidate, int[] reference) {
    long[] stats = new long[Bleu.STATS];
    Bleu.add(candidate, reference, stats);
    return Bleu.score(stats);
  }

  @Test
  void theSameCaptionScoresOne() {
    assertEquals(1.0, bleu(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 4, 5}), 1e-12);
  }

  @Test
  void oneWrongWordTakesAGramFromEveryOrder() {
    // Precisions 5/6, 3/5, 2/4, 1/3; same length, no brevity penalty.
    double expected = Math.pow(5.0 / 6 * 3.0 / 5 * 2.0 / 4 * 1.0 / 3, 0.25);
    assertEquals(expected, bleu(new int[] {1, 2, 3, 4, 9, 6}, new int[] {1, 2, 3, 4, 5, 6}), 1e-12);
  }

  @Test
  void aShortCandidatePaysTheBrevityPenalty() {
    assertEquals(
        Math.exp(1 - 6.0 / 5),
        bleu(new int[] {1, 2, 3, 4, 5}, new int[] {1, 2, 3, 4, 5, 6}),
        1e-12);
  }

  @Test
  void repeatedWordsAreClippedByTheReferenceAndNoFourGramScoresZero() {
    assertEquals(0.0, bleu(new int[] {1, 1, 1, 1}, new int[] {1, 2, 3, 4}), 0);
    long[] stats = new long[Bleu.STATS];
    Bleu.add(new int[] {1, 1, 1, 1}, new int[] {1, 2, 3, 4}, stats);
    assertEquals(1, stats[0], "one 1 in the reference: one match of four");
    assertEquals(4, stats[4]);
  }

  @Test
  void theCorpusSumsItsGramsBeforeDividing() {
    long[] stats = new long[Bleu.STATS];
    Bleu.add(new int[] {1, 2, 3, 4}, new int[] {1, 2, 3, 4}, stats);
    Bleu.add(new int[] {5, 6, 7, 9}, new int[] {5, 6, 7, 8}, stats);
    // Unigrams 7/8, bigrams 5/6, trigrams 3/4, four-grams 1/2.
    double expected = Math.pow(7.0 / 8 * 5.0 / 6 * 3.0 / 4 * 1.0 / 2, 0.25);
    assertEquals(expected, Bleu.score(stats), 1e-12);
  }
}
