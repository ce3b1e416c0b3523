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

class PartitionTalliesTest {
  private static long[] plus(long[] into, long[] from) {
    into[0] += from[0];
    into[1] += from[1];
    return into;
  }

  @Test
  void aPartitionCountedTwiceCountsOnce() {
    PartitionTallies<long[]> driver = new PartitionTallies<>();
    assertTrue(driver.isZero());
    assertArrayEquals(new long[2], driver.sum(new long[2], PartitionTalliesTest::plus));

    // Two tasks, then partition 1 once more (a retried task or a recomputed cache block).
    PartitionTallies<long[]> first = (PartitionTallies<long[]>) driver.copyAndReset();
    first.add(0, new long[] {1, 2});
    PartitionTallies<long[]> second = (PartitionTallies<long[]>) driver.copyAndReset();
    second.add(1, new long[] {10, 20});
    PartitionTallies<long[]> again = (PartitionTallies<long[]>) driver.copyAndReset();
    again.add(1, new long[] {10, 20});
    assertFalse(first.isZero());
    driver.merge(first);
    driver.merge(second);
    driver.merge(again);
    driver.merge(new PartitionTallies<>());
    assertEquals(2, driver.value().size());
    assertArrayEquals(new long[] {11, 22}, driver.sum(new long[2], PartitionTalliesTest::plus));
    assertArrayEquals(new long[] {1, 2}, driver.value().get(0L), "summing leaves the tallies as they were");

    PartitionTallies<long[]> copy = driver.copy();
    copy.add(2, new long[] {100, 100});
    assertEquals(2, driver.value().size(), "a copy has its own tallies");
    driver.reset();
    assertTrue(driver.isZero());
  }

  @Test
  void aCountedIteratorHandsItsTallyOnOnceAfterTheLastElement() {
    PartitionTallies<long[]> tallies = new PartitionTallies<>();
    Iterator<Integer> it = Iterators.counted(List.of(3, 4, 5).iterator(), new long[2], (t, v) -> {
      t[0]++;
      t[1] += v;
    }, t -> tallies.add(7, t));
    int seen = 0;
    while (it.hasNext()) {
      assertTrue(tallies.isZero(), "nothing is handed on before the last element is taken");
      seen += it.next();
    }
    assertFalse(it.hasNext());
    assertEquals(12, seen);
    assertArrayEquals(new long[] {3, 12}, tallies.value().get(7L));
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(1, tallies.value().size(), "handed on once");
  }
}
