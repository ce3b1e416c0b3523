package org.mtlspark.prep.io;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.util.AccumulatorV2;

/**
 * A Spark accumulator that sums one tally per partition: each task adds what it counted over its
 * partition, under the partition's number, and the driver holds the sum and the numbers counted.
 * It lets one pass both compute a partition (to cache or shuffle it) and count it, where counting
 * after would read it all again.
 *
 * <p>A partition is counted once however often Spark computes it: a retried task, a resubmitted
 * stage or a recomputed cache block brings the same tally under a number already counted, and it
 * is left out. That holds as long as a partition's tally depends only on its data, as counts do.
 * A partition can also go uncounted: a task attempt that cached its block and then failed has its
 * tally dropped, and the next attempt reads the block instead of counting it. {@link
 * #partitions()} tells which were counted, so that the caller can count the others.
 *
 * <p>Register it unnamed: Spark keeps the value of a named accumulator with every task's event.
 */
public final class PartitionTallies<T extends Serializable>
    extends AccumulatorV2<PartitionTallies.Tally<T>, T> {
  private static final long serialVersionUID = 1L;

  /** The empty tally. */
  @FunctionalInterface
  public interface Zero<T> extends Serializable {
    T get();
  }

  /** Adds the second tally to the first and returns it (or a new one); never changes the second. */
  @FunctionalInterface
  public interface Plus<T> extends Serializable {
    T apply(T into, T from);
  }

  /** The tally of one partition. */
  public record Tally<T>(long partition, T value) implements Serializable {}

  private final Zero<T> zero;
  private final Plus<T> plus;
  private final Set<Long> counted = new HashSet<>();

  /** The sum of the counted partitions' tallies; null while there are none. */
  private T sum;

  public PartitionTallies(Zero<T> zero, Plus<T> plus) {
    this.zero = zero;
    this.plus = plus;
  }

  /** Counts {@code value} as the tally of {@code partition}, unless that partition was counted. */
  public void add(long partition, T value) {
    add(new Tally<>(partition, value));
  }

  /** The numbers of the partitions counted. */
  public synchronized Set<Long> partitions() {
    return Set.copyOf(counted);
  }

  @Override
  public synchronized boolean isZero() {
    return counted.isEmpty();
  }

  @Override
  public synchronized PartitionTallies<T> copy() {
    PartitionTallies<T> c = new PartitionTallies<>(zero, plus);
    c.counted.addAll(counted);
    c.sum = sum == null ? null : plus.apply(zero.get(), sum);
    return c;
  }

  @Override
  public synchronized void reset() {
    counted.clear();
    sum = null;
  }

  @Override
  public synchronized void add(Tally<T> tally) {
    if (counted.add(tally.partition())) {
      sum = plus.apply(sum == null ? zero.get() : sum, tally.value());
    }
  }

  @Override
  public void merge(AccumulatorV2<Tally<T>, T> other) {
    if (!(other instanceof PartitionTallies<T> theirs)) {
      throw new UnsupportedOperationException("cannot merge a " + other.getClass().getName());
    }
    Set<Long> partitions;
    T value;
    synchronized (theirs) {
      partitions = Set.copyOf(theirs.counted);
      value = theirs.sum;
    }
    synchronized (this) {
      if (partitions.isEmpty() || counted.containsAll(partitions)) {
        return;
      }
      if (partitions.stream().anyMatch(counted::contains)) {
        // Spark merges one task's accumulator, of one partition, at a time: this does not happen.
        throw new IllegalStateException(
            "partition tallies overlap in part: counted " + counted + ", adding " + partitions);
      }
      counted.addAll(partitions);
      sum = plus.apply(sum == null ? zero.get() : sum, value);
    }
  }

  /** The sum of the counted partitions' tallies (a fresh zero when none was counted). */
  @Override
  public synchronized T value() {
    return sum == null ? zero.get() : sum;
  }

  /** Serialized under the lock: Spark's heartbeat may send a task's accumulators while it adds. */
  private synchronized void writeObject(ObjectOutputStream out) throws IOException {
    out.defaultWriteObject();
  }
}
