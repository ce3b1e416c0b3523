package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;

class SplitRunsTest {
  static AlignedRecord record(String key) {
    return new AlignedRecord(key, null, AlignedRecord.Status.USABLE, null, null);
  }

  @Test
  void aPartitionInWriteOrderComesApartIntoItsSplits() {
    SplitOrder order = new SplitOrder(new KeySplit(0.6, 0.2, "s"), 7);
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add("k" + i);
    }
    keys.sort(Comparator.comparingLong(order::position));
    Map<Split, List<String>> expected = new LinkedHashMap<>();
    for (String k : keys) {
      expected.computeIfAbsent(order.split(k), s -> new ArrayList<>()).add(k);
    }
    assertEquals(
        List.of(Split.TRAIN, Split.VALIDATION, Split.TEST),
        List.copyOf(expected.keySet()),
        "positions put training first, then validation, then test");
    assertTrue(keys.stream().allMatch(k -> order.position(k) >= 0), "positions are never negative");

    PrepJob.SplitRuns runs =
        new PrepJob.SplitRuns(keys.stream().map(SplitRunsTest::record).iterator(), order);
    Map<Split, List<String>> seen = new LinkedHashMap<>();
    while (runs.nextSplit()) {
      List<String> run = seen.computeIfAbsent(runs.split(), s -> new ArrayList<>());
      // Reading only part of a split: the rest is skipped by the next nextSplit().
      int take = runs.split() == Split.VALIDATION ? 3 : Integer.MAX_VALUE;
      while (runs.hasNext() && run.size() < take) {
        run.add(runs.next().key());
      }
    }
    assertEquals(expected.get(Split.TRAIN), seen.get(Split.TRAIN));
    assertEquals(expected.get(Split.VALIDATION).subList(0, 3), seen.get(Split.VALIDATION));
    assertEquals(expected.get(Split.TEST), seen.get(Split.TEST));
    assertFalse(runs.hasNext());
  }

  @Test
  void anEmptyPartitionHasNoSplit() {
    PrepJob.SplitRuns runs =
        new PrepJob.SplitRuns(
            List.<AlignedRecord>of().iterator(), new SplitOrder(new KeySplit(0.8, 0.1, "s"), 1));
    assertFalse(runs.nextSplit());
  }
}
