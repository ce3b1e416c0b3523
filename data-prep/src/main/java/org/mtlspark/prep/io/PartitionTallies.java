package org.mtlspark.prep.io;

import java.io.Serializable;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.apache.spark.util.AccumulatorV2;

/**
 * A Spark accumulator of one tally per partition: each task adds what it counted over its
 * partition, under the partition's number, and the driver sums the tallies. It lets one pass both
 * compute a partition (to cache or shuffle it) and count it, where counting after would read it
 * all again.
 *
 * <p>Exact however often Spark computes a partition: a retried task, a resubmitted stage or a
 * recomputed cache block adds the same tally under the same number again, and it replaces the
 * first. That holds as long as a partition's tally depends only on its data, as counts do.
 */
public final class PartitionTallies<T extends Serializable> extends AccumulatorV2<PartitionTallies.Tally<T>, Map<Long, T>> {
  private static final long serialVersionUID = 1L;

  /** The tally of one partition. */
  public record Tally<T>(long partition, T value) implements Serializable {}

  private final HashMap<Long, T> byPartition = new HashMap<>();

  /** Records {@code value} as the tally of {@code partition}. */
  public void add(long partition, T value) {
    add(new Tally<>(partition, value));
  }

  /** The sum of the partitions' tallies, starting from {@code zero}; {@code plus} may change its first argument. */
  public T sum(T zero, BinaryOperator<T> plus) {
    T total = zero;
    for (T t : byPartition.values()) {
      total = plus.apply(total, t);
    }
    return total;
  }

  @Override
  public boolean isZero() {
    return byPartition.isEmpty();
  }

  @Override
  public PartitionTallies<T> copy() {
    PartitionTallies<T> c = new PartitionTallies<>();
    c.byPartition.putAll(byPartition);
    return c;
  }

  @Override
  public void reset() {
    byPartition.clear();
  }

  @Override
  public void add(Tally<T> tally) {
    byPartition.put(tally.partition(), tally.value());
  }

  @Override
  public void merge(AccumulatorV2<Tally<T>, Map<Long, T>> other) {
    byPartition.putAll(other.value());
  }

  @Override
  public Map<Long, T> value() {
    return Collections.unmodifiableMap(byPartition);
  }
}
