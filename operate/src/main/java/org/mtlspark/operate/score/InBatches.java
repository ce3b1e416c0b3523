package org.mtlspark.operate.score;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * The outputs of an iterator's items, made {@code size} items at a time (a network scores a batch
 * of examples in one pass): the items of a partition in, one output per item out, in order.
 */
final class InBatches<I, O> implements Iterator<O> {
  private final Iterator<I> items;
  private final int size;
  private final Function<List<I>, List<O>> each;
  private List<O> ready = List.of();
  private int next;

  /** {@code each} turns a batch of at most {@code size} items into as many outputs. */
  InBatches(Iterator<I> items, int size, Function<List<I>, List<O>> each) {
    this.items = items;
    this.size = size;
    this.each = each;
  }

  @Override
  public boolean hasNext() {
    if (next < ready.size()) {
      return true;
    }
    List<I> batch = new ArrayList<>(size);
    while (batch.size() < size && items.hasNext()) {
      batch.add(items.next());
    }
    if (batch.isEmpty()) {
      return false;
    }
    ready = each.apply(batch);
    next = 0;
    return true;
  }

  @Override
  public O next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.get(next++);
  }
}
