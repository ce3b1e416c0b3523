package org.mtlspark.bench.quality;

import java.util.Arrays;
import org.mtlspark.prep.feature.TextVocabulary;

/**
 * A text's token ids as a bag of words over the vocabulary: for each vocabulary word the times it
 * occurs, at index {@code id - TextVocabulary.FIRST_TOKEN}. The reserved ids (padding, unknown
 * word, no text) are no words and are skipped, as is an id beyond the vocabulary.
 *
 * @param indices the vocabulary indices that occur, ascending
 * @param counts how often each occurs
 */
public record BagOfWords(int[] indices, double[] counts) {

  /** The bag of words of {@code ids} over a vocabulary of {@code vocabularySize} words. */
  public static BagOfWords of(int[] ids, int vocabularySize) {
    int[] words = new int[ids.length];
    int n = 0;
    for (int id : ids) {
      int word = id - TextVocabulary.FIRST_TOKEN;
      if (id >= TextVocabulary.FIRST_TOKEN && word < vocabularySize) {
        words[n++] = word;
      }
    }
    Arrays.sort(words, 0, n);
    int[] indices = new int[n];
    double[] counts = new double[n];
    int distinct = 0;
    for (int i = 0; i < n; i++) {
      if (distinct > 0 && indices[distinct - 1] == words[i]) {
        counts[distinct - 1]++;
      } else {
        indices[distinct] = words[i];
        counts[distinct++] = 1;
      }
    }
    return new BagOfWords(Arrays.copyOf(indices, distinct), Arrays.copyOf(counts, distinct));
  }

  /** The number of distinct words. */
  public int size() {
    return indices.length;
  }
}
