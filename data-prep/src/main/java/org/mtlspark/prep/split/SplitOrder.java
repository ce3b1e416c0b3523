package org.mtlspark.prep.split;

import java.io.Serializable;

/**
 * Where a record goes when prep lays its records out for writing: its split, and its position, a
 * 64-bit number that records are sorted by within a partition (then by key). The split takes the
 * two bits below the sign bit, so each partition holds its training records first, then
 * validation, then test; below them a hash of the key, seeded for the training split, so that
 * batches mix keys in an order that changes with the seed and not with the data around them.
 * Positions are never negative.
 *
 * <p>Without a split ({@link #unsplit()}, for scoring), the position is a hash of the key alone.
 */
public final class SplitOrder implements Serializable {
  private static final long serialVersionUID = 1L;
  private final KeySplit splitter;
  private final String seed;

  /** The layout of prep: splits by {@code splitter}, training records shuffled by {@code seed}. */
  public SplitOrder(KeySplit splitter, long seed) {
    this.splitter = splitter;
    this.seed = Long.toString(seed);
  }

  /** A layout without splits. */
  public static SplitOrder unsplit() {
    return new SplitOrder(null, 0);
  }

  /** The split of the record with key {@code key}. */
  public Split split(String key) {
    if (splitter == null) {
      throw new IllegalStateException("records laid out without a split");
    }
    return splitter.assign(key);
  }

  /** The sort position of the record with key {@code key}. */
  public long position(String key) {
    if (splitter == null) {
      return bits(KeySplit.unit(key));
    }
    Split split = splitter.assign(key);
    double u = split == Split.TRAIN ? KeySplit.unit(seed, ":", key) : KeySplit.unit(key);
    return ((long) split.ordinal() << 61) | bits(u);
  }

  /** The 53 bits of a value in [0, 1), as a long in [0, 2^61) that sorts the same way. */
  private static long bits(double unit) {
    return (long) (unit * 0x1.0p53) << 8;
  }
}
