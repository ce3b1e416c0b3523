package org.mtlspark.prep.split;

import java.io.Serializable;
import org.apache.spark.Partitioner;

/**
 * Lays the three splits out over one shuffle: split {@code s} owns partitions {@code s * perSplit}
 * to {@code (s + 1) * perSplit - 1}, and a record goes to one of them by a hash of its key. Sorted
 * by {@link Key}, the training split's partitions hold their records in a seeded pseudo-random order
 * (so that batches mix keys) and the other splits' in key order.
 */
public final class SplitOrder extends Partitioner {
  private static final long serialVersionUID = 1L;
  private final int perSplit;

  public SplitOrder(int perSplit) {
    if (perSplit < 1) {
      throw new IllegalArgumentException("partitions per split must be at least 1, was " + perSplit);
    }
    this.perSplit = perSplit;
  }

  /** The sort key of a record: its split, then its order within the split, then the key itself. */
  public record Key(int split, double order, String key) implements Comparable<Key>, Serializable {
    public static Key of(Split split, long seed, String key) {
      return new Key(split.ordinal(), split == Split.TRAIN ? KeySplit.unit(seed + ":" + key) : 0, key);
    }

    @Override
    public int compareTo(Key o) {
      int c = Integer.compare(split, o.split);
      if (c == 0) {
        c = Double.compare(order, o.order);
      }
      return c != 0 ? c : key.compareTo(o.key);
    }
  }

  @Override
  public int numPartitions() {
    return perSplit * Split.values().length;
  }

  @Override
  public int getPartition(Object key) {
    Key k = (Key) key;
    return k.split() * perSplit + Math.floorMod(k.key().hashCode(), perSplit);
  }

  /** The split whose records partition {@code index} holds. */
  public Split split(int index) {
    return Split.values()[index / perSplit];
  }

  /** The position of partition {@code index} among its split's partitions. */
  public int indexInSplit(int index) {
    return index % perSplit;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SplitOrder s && s.perSplit == perSplit;
  }

  @Override
  public int hashCode() {
    return perSplit;
  }
}
