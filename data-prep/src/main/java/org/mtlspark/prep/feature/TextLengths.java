package org.mtlspark.prep.feature;

import java.util.Map;
import java.util.TreeMap;

/**
 * {@code prep.text.maxTokens: auto}: token positions enough for most training texts whole, so that
 * long reviews are not cut to a few words and short titles do not carry long padding.
 */
public final class TextLengths {
  /** The share of training texts that fit whole. */
  public static final double COVERED = 0.9;

  /** Positions are a multiple of this, at least this and at most {@link #MOST}. */
  public static final int STEP = 8;

  public static final int MOST = 256;

  private TextLengths() {}

  /**
   * The positions chosen for texts of these lengths (terms per text, with how many texts have
   * each): the smallest length at least {@link #COVERED} of the texts fit in, rounded up to a
   * multiple of {@link #STEP}, between {@link #STEP} and {@link #MOST}.
   */
  public static int chosen(Map<Integer, Long> textsByLength) {
    long total = textsByLength.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0) {
      return STEP;
    }
    long seen = 0;
    int covering = 0;
    for (Map.Entry<Integer, Long> e : new TreeMap<>(textsByLength).entrySet()) {
      seen += e.getValue();
      covering = e.getKey();
      if (seen >= COVERED * total) {
        break;
      }
    }
    int rounded = (covering + STEP - 1) / STEP * STEP;
    return Math.max(STEP, Math.min(MOST, rounded));
  }
}
