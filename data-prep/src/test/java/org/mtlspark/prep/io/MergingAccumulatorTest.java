package org.mtlspark.prep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class MergingAccumulatorTest {
  private static MergingAccumulator<long[]> sums() {
    return new MergingAccumulator<>(() -> new long[2], (into, from) -> {
      into[0] += from[0];
      into[1] += from[1];
      return into;
    });
  }

  @Test
  void sumsWhatTasksAddAndNeverSharesATallyWithACopy() {
    MergingAccumulator<long[]> driver = sums();
    assertTrue(driver.isZero());
    assertArrayEquals(new long[2], driver.value());

    long[] first = {1, 2};
    MergingAccumulator<long[]> task = (MergingAccumulator<long[]>) driver.copyAndReset();
    task.add(first);
    task.add(new long[] {10, 20});
    assertFalse(task.isZero());
    assertArrayEquals(new long[] {1, 2}, first, "an added tally is read, not changed");

    MergingAccumulator<long[]> copy = task.copy();
    driver.merge(task);
    driver.merge(sums());
    assertArrayEquals(new long[] {11, 22}, driver.value());
    copy.add(new long[] {100, 100});
    assertArrayEquals(new long[] {11, 22}, task.value(), "a copy has its own tally");
    assertArrayEquals(new long[] {111, 122}, copy.value());

    driver.reset();
    assertTrue(driver.isZero());
    assertArrayEquals(new long[2], driver.value());
  }

  @Test
  void aCountedIteratorHandsItsTallyOnOnceAfterTheLastElement() {
    MergingAccumulator<long[]> sum = sums();
    Iterator<Integer> it = Iterators.counted(List.of(3, 4, 5).iterator(), new long[2], (t, v) -> {
      t[0]++;
      t[1] += v;
    }, sum);
    int seen = 0;
    while (it.hasNext()) {
      assertTrue(sum.isZero(), "nothing is handed on before the last element is taken");
      seen += it.next();
    }
    assertFalse(it.hasNext());
    assertEquals(12, seen);
    assertArrayEquals(new long[] {3, 12}, sum.value());
    assertThrows(NoSuchElementException.class, it::next);
    assertArrayEquals(new long[] {3, 12}, sum.value(), "handed on once");
  }
}
