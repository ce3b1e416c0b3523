package org.mtlspark.workers.eval;

import java.util.HashMap;
import java.util.Map;

/**
 * Corpus BLEU-4 (Papineni et al. 2002) with one reference per caption: the n-gram precisions for n
 * = 1 to 4, each clipped by the reference's counts and summed over the corpus before dividing, their
 * geometric mean, times the brevity penalty exp(1 - r / c) when the candidates' total length c is
 * below the references' r. No smoothing: a corpus without a matching 4-gram scores 0. The statistics
 * of one caption ({@link #add}) add up, so partitions merge by summing.
 */
public final class Bleu {
  private Bleu() {}

  /** The statistics' size: matches and totals for n = 1..4, then candidate and reference length. */
  public static final int STATS = 10;

  /** Adds the statistics of {@code candidate} against {@code reference} (words as ids) to {@code stats}. */
  public static void add(int[] candidate, int[] reference, long[] stats) {
    for (int n = 1; n <= 4; n++) {
      Map<String, Integer> ref = grams(reference, n);
      Map<String, Integer> cand = grams(candidate, n);
      long matches = 0;
      for (Map.Entry<String, Integer> e : cand.entrySet()) {
        matches += Math.min(e.getValue(), ref.getOrDefault(e.getKey(), 0));
      }
      stats[n - 1] += matches;
      stats[4 + n - 1] += Math.max(0, candidate.length - n + 1);
    }
    stats[8] += candidate.length;
    stats[9] += reference.length;
  }

  /** BLEU-4 of summed statistics, in [0, 1]; 0 for an empty corpus. */
  public static double score(long[] stats) {
    double logSum = 0;
    for (int n = 0; n < 4; n++) {
      if (stats[n] == 0 || stats[4 + n] == 0) {
        return 0;
      }
      logSum += Math.log((double) stats[n] / stats[4 + n]);
    }
    long c = stats[8];
    long r = stats[9];
    double brevity = c >= r ? 1 : Math.exp(1 - (double) r / c);
    return brevity * Math.exp(logSum / 4);
  }

  private static Map<String, Integer> grams(int[] words, int n) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i + n <= words.length; i++) {
      StringBuilder key = new StringBuilder();
      for (int k = 0; k < n; k++) {
        key.append(words[i + k]).append(' ');
      }
      out.merge(key.toString(), 1, Integer::sum);
    }
    return out;
  }
}
