package org.mtlspark.prep.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.PrepException;

class KeySplitTest {
  @Test
  void sharesFollowTheConfiguredFractions() {
    KeySplit split = new KeySplit(0.8, 0.1, "s");
    Map<Split, Integer> counts = new EnumMap<>(Split.class);
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      counts.merge(split.assign("c" + i), 1, Integer::sum);
    }
    assertEquals(0.8, counts.get(Split.TRAIN) / (double) n, 0.01);
    assertEquals(0.1, counts.get(Split.VALIDATION) / (double) n, 0.01);
    assertEquals(0.1, counts.get(Split.TEST) / (double) n, 0.01);
  }

  @Test
  void assignmentDependsOnlyOnKeyAndSalt() {
    KeySplit a = new KeySplit(0.8, 0.1, "s");
    KeySplit b = new KeySplit(0.8, 0.1, "s");
    KeySplit other = new KeySplit(0.8, 0.1, "t");
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
      assertEquals(a.assign("k" + i), b.assign("k" + i));
      differ += a.assign("k" + i) == other.assign("k" + i) ? 0 : 1;
    }
    assertTrue(differ > 200, "another salt draws another split: " + differ);
  }

  @Test
  void aGroupColumnKeepsEveryRecordOfTheGroupOnOneSide() {
    KeySplit byMovie = new KeySplit(0.5, 0.25, "s", 1);
    java.util.Set<Split> sides = new java.util.HashSet<>();
    for (int movie = 0; movie < 50; movie++) {
      java.util.Set<Split> seen = new java.util.HashSet<>();
      for (int user = 0; user < 40; user++) {
        seen.add(byMovie.assign(Keys.join(java.util.List.of("u" + user, "m" + movie))));
      }
      assertEquals(1, seen.size(), "all ratings of movie " + movie + " in one split");
      sides.addAll(seen);
    }
    assertEquals(3, sides.size(), "movies still spread over the three splits");
  }

  @Test
  void addingKeysLeavesEveryEarlierAssignmentAlone() {
    KeySplit split = new KeySplit(0.8, 0.1, "s");
    Map<String, Split> before = new java.util.HashMap<>();
    for (int i = 0; i < 1000; i++) {
      before.put("k" + i, split.assign("k" + i));
    }
    KeySplit later = new KeySplit(0.8, 0.1, "s");
    for (int i = 0; i < 2000; i++) {
      Split s = later.assign("k" + i);
      if (i < 1000) {
        assertEquals(before.get("k" + i), s);
      }
    }
  }

  @Test
  void unitValuesAreInTheUnitInterval() {
    for (int i = 0; i < 10_000; i++) {
      double u = KeySplit.unit("x" + i);
      assertTrue(u >= 0 && u < 1);
    }
  }

  /** The hash of the UTF-8 bytes, computed the plain way: what split assignments have always used. */
  static double reference(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }

  @Test
  void theHashOfPartsIsTheHashOfTheirUtf8Concatenation() {
    String[] samples = {
      "",
      "k17",
      "s\u0000k17",
      "café",
      "東京",
      "\uD83D\uDE00 emoji",
      "lone \uD800 high",
      "lone \uDC00 low",
      "end \uD800",
      "\u007F\u0080\u07FF\u0800\uFFFF"
    };
    for (String a : samples) {
      assertEquals(reference(a), KeySplit.unit(a), a);
      for (String b : samples) {
        assertEquals(reference(a + b), KeySplit.unit(a, b), a + " + " + b);
      }
    }
  }

  @Test
  void aNamedSplitTakesTheSplitFromTheKeyColumnAndNamesAnUnknownValue() {
    KeySplit named =
        KeySplit.of(
            new PrepConfig.SplitConfig(0.8, 0.1, "s", "part", true), List.of("part", "index"));
    assertEquals(Split.TRAIN, named.assign(Keys.join(List.of("train", "7"))));
    assertEquals(Split.VALIDATION, named.assign(Keys.join(List.of("validation", "7"))));
    assertEquals(Split.TEST, named.assign(Keys.join(List.of("test", "7"))));
    PrepException e =
        assertThrows(PrepException.class, () -> named.assign(Keys.join(List.of("holdout", "7"))));
    assertTrue(
        e.getMessage()
            .contains("holds \"holdout\" (record holdout, 7); expected train, validation or test"),
        e.getMessage());
  }
}
