package org.mtlspark.prep.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.testing.SharedSpark;
import scala.Tuple2;

/** The ordered grouping shuffle under alignment: every key's values in one group, groups in order. */
class KeyedSortIT {
  static SparkSession spark;

  @BeforeAll
  static void start() {
    spark = SharedSpark.get();
  }

  /** 300 keys, each with 1 to 4 values spread over 5 input partitions. */
  static List<Tuple2<String, Integer>> values() {
    List<Tuple2<String, Integer>> out = new ArrayList<>();
    for (int k = 0; k < 300; k++) {
      for (int v = 0; v <= k % 4; v++) {
        out.add(new Tuple2<>("key" + k, 1000 * k + v));
      }
    }
    java.util.Collections.shuffle(out, new java.util.Random(3));
    return out;
  }

  static List<List<List<Tuple2<String, Integer>>>> partitions(KeyedSort.Position position) {
    JavaRDD<Tuple2<String, Integer>> rdd =
        JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(values(), 5);
    return KeyedSort.group(spark, rdd, Tuple2::_1, position, 3).glom().collect();
  }

  static void assertGroupedAndOrdered(
      List<List<List<Tuple2<String, Integer>>>> partitions, KeyedSort.Position position) {
    Map<String, List<Integer>> seen = new HashMap<>();
    Comparator<String> order =
        Comparator.<String>comparingLong(position::of).thenComparing(Comparator.naturalOrder());
    for (List<List<Tuple2<String, Integer>>> partition : partitions) {
      String previous = null;
      for (List<Tuple2<String, Integer>> group : partition) {
        String key = group.get(0)._1();
        assertTrue(group.stream().allMatch(v -> v._1().equals(key)), "one key per group: " + group);
        assertEquals(
            null,
            seen.put(key, group.stream().map(Tuple2::_2).sorted().toList()),
            key + " in one group");
        assertTrue(
            previous == null || order.compare(previous, key) < 0, previous + " before " + key);
        previous = key;
      }
    }
    Map<String, List<Integer>> expected = new TreeMap<>();
    for (Tuple2<String, Integer> v : values()) {
      expected.computeIfAbsent(v._1(), k -> new ArrayList<>()).add(v._2());
    }
    expected.replaceAll((k, v) -> v.stream().sorted().toList());
    assertEquals(expected, new TreeMap<>(seen), "every value once, with its key");
  }

  @Test
  void valuesOfAKeyArriveTogetherInPositionOrder() {
    KeyedSort.Position position = key -> KeySplit.unit(key) < 0.5 ? 1 : 0;
    assertGroupedAndOrdered(partitions(position), position);
    KeyedSort.Position hashed = key -> (long) (KeySplit.unit("s", key) * 1e15);
    assertGroupedAndOrdered(partitions(hashed), hashed);
  }

  @Test
  void keysSharingAPositionStayApartInKeyOrder() {
    KeyedSort.Position same = key -> 42;
    assertGroupedAndOrdered(partitions(same), same);
  }
}
