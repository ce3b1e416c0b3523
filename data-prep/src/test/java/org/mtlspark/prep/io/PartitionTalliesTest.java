package org.mtlspark.prep.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PartitionTalliesTest {
  private static PartitionTallies<long[]> tallies() {
    return new PartitionTallies<>(
        () -> new long[2],
        (into, from) -> {
          into[0] += from[0];
          into[1] += from[1];
          return into;
        });
  }

  /** As Spark hands an accumulator to a task: a reset copy. */
  @SuppressWarnings("unchecked")
  private static PartitionTallies<long[]> task(PartitionTallies<long[]> driver) {
    return (PartitionTallies<long[]>) driver.copyAndReset();
  }

  @Test
  void aPartitionCountedTwiceCountsOnce() {
    PartitionTallies<long[]> driver = tallies();
    assertTrue(driver.isZero());
    assertArrayEquals(new long[2], driver.value());

    long[] zero = {1, 2};
    PartitionTallies<long[]> first = task(driver);
    first.add(0, zero);
    PartitionTallies<long[]> second = task(driver);
    second.add(1, new long[] {10, 20});
    // Partition 1 once more: a retried task, a resubmitted stage or a recomputed cache block.
    PartitionTallies<long[]> again = task(driver);
    again.add(1, new long[] {10, 20});
    assertFalse(first.isZero());
    driver.merge(first);
    driver.merge(second);
    driver.merge(again);
    driver.merge(tallies());
    assertEquals(Set.of(0L, 1L), driver.partitions());
    assertArrayEquals(new long[] {11, 22}, driver.value());
    assertArrayEquals(new long[] {1, 2}, zero, "an added tally is read, never changed");

    PartitionTallies<long[]> copy = driver.copy();
    copy.add(2, new long[] {100, 100});
    assertArrayEquals(new long[] {11, 22}, driver.value(), "a copy has its own sum");
    assertArrayEquals(new long[] {111, 122}, copy.value());
    driver.reset();
    assertTrue(driver.isZero());
    assertEquals(Set.of(), driver.partitions());
  }

  @Test
  void tallyOverlappingInPartIsRefused() {
    PartitionTallies<long[]> driver = tallies();
    driver.add(0, new long[] {1, 1});
    PartitionTallies<long[]> two = tallies();
    two.add(0, new long[] {1, 1});
    two.add(1, new long[] {1, 1});
    assertThrows(IllegalStateException.class, () -> driver.merge(two));
  }

  @Test
  void aCountedIteratorHandsItsTallyOnOnceAfterTheLastElement() {
    PartitionTallies<long[]> tallies = tallies();
    Iterator<Integer> it =
        Iterators.counted(
            List.of(3, 4, 5).iterator(),
            new long[2],
            (t, v) -> {
              t[0]++;
              t[1] += v;
            },
            t -> tallies.add(7, t));
    int seen = 0;
    while (it.hasNext()) {
      assertTrue(tallies.isZero(), "nothing is handed on before the last element is taken");
      seen += it.next();
    }
    assertFalse(it.hasNext());
    assertEquals(12, seen);
    assertArrayEquals(new long[] {3, 12}, tallies.value());
    assertThrows(NoSuchElementException.class, it::next);
    assertEquals(Set.of(7L), tallies.partitions(), "handed on once");
  }
}
