package org.mtlspark.prep.io;

import java.io.Serializable;
import org.apache.spark.util.AccumulatorV2;

/**
 * A Spark accumulator of a tally that merges: each task adds what it counted over its partition,
 * and the driver reads the sum. It lets one pass both fill a cache and count what went in, where
 * counting after would read the whole cache back.
 *
 * <p>Exactness: Spark merges a task's accumulator updates once per partition for the tasks of an
 * action (a result stage), retried or not. So add to it only from the action that first computes
 * the partitions, and read it right after that action: a later recomputation (of a lost cache
 * block) may add again.
 *
 * <p>{@code merge} may change and return its first argument, never its second.
 */
public final class MergingAccumulator<T extends Serializable> extends AccumulatorV2<T, T> {
  private static final long serialVersionUID = 1L;

  /** The empty tally. */
  @FunctionalInterface
  public interface Zero<T> extends Serializable {
    T get();
  }

  /** Adds the second tally to the first and returns it (or a new one). */
  @FunctionalInterface
  public interface Merge<T> extends Serializable {
    T apply(T into, T from);
  }

  private final Zero<T> zero;
  private final Merge<T> merge;
  /** Null while nothing was added. */
  private T sum;

  public MergingAccumulator(Zero<T> zero, Merge<T> merge) {
    this.zero = zero;
    this.merge = merge;
  }

  @Override
  public boolean isZero() {
    return sum == null;
  }

  @Override
  public MergingAccumulator<T> copy() {
    MergingAccumulator<T> c = new MergingAccumulator<>(zero, merge);
    if (sum != null) {
      c.add(sum);
    }
    return c;
  }

  @Override
  public void reset() {
    sum = null;
  }

  @Override
  public void add(T tally) {
    sum = merge.apply(sum == null ? zero.get() : sum, tally);
  }

  @Override
  public void merge(AccumulatorV2<T, T> other) {
    T theirs = other.value();
    if (!other.isZero()) {
      add(theirs);
    }
  }

  @Override
  public T value() {
    return sum == null ? zero.get() : sum;
  }
}
