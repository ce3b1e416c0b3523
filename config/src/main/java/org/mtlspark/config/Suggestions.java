package org.mtlspark.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * The "did you mean" of every message about a name that does not exist (a configuration key, a
 * column of a source): the closest known name by edit distance, ignoring case, when it is close
 * enough to be a likely misspelling.
 */
public final class Suggestions {
  private Suggestions() {}

  /**
   * The known name closest to {@code name}, when at most {@code max(2, length / 3)} edits away;
   * ties go to the first in {@code known}'s order.
   */
  public static Optional<String> closest(String name, Collection<String> known) {
    String wanted = name.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = editDistance(wanted, k.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best != null && bestDistance <= Math.max(2, name.length() / 3)
        ? Optional.of(best)
        : Optional.empty();
  }

  /** {@code " (did you mean 'X'?)"} for the closest known name, or an empty string. */
  public static String didYouMean(String name, Collection<String> known) {
    return closest(name, known).map(k -> " (did you mean '" + k + "'?)").orElse("");
  }

  /** The Levenshtein distance between {@code a} and {@code b}. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
