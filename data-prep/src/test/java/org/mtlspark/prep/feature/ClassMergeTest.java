package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.source.PrepException;

/** Rare training classes of a multiclass task merge into one class; regression targets transform and come back. */
class ClassMergeTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [id]
        sources:
          - {name: s, format: csv, path: s, numeric: [x]}
      tasks:
        - {name: byCount, type: multiclass, source: s, column: a, minClassCount: 10}
        - {name: byRank, type: multiclass, source: s, column: b, maxClasses: 3, otherClass: rest}
        - {name: all, type: multiclass, source: s, column: c, minClassCount: 1000}
        - {name: spend, type: regression, source: s, column: spend, transform: log1p}
      """,
          "test.yaml");

  /** Three frequent classes and five rare ones, as counted on a training split. */
  static final Map<String, Long> TRAIN =
      Map.of(
          "cat", 50L, "dog", 40L, "eel", 30L, "fox", 9L, "gnu", 5L, "hen", 3L, "ibis", 2L, "jay",
          1L);

  private static ClassMerge merge(String task) {
    List<String> byFrequency =
        TRAIN.keySet().stream()
            .sorted(Comparator.<String>comparingLong(c -> -TRAIN.get(c)).thenComparing(c -> c))
            .toList();
    return ClassMerge.of(CONFIG.task(task), byFrequency, TRAIN::get);
  }

  @Test
  void classesRarerThanMinClassCountBecomeOneOtherClass() {
    ClassMerge m = merge("byCount");
    assertEquals(List.of("cat", "dog", "eel", "other"), m.classes());
    assertEquals(List.of(50L, 40L, 30L, 20L), m.counts());
    assertEquals(List.of("fox", "gnu", "hen", "ibis", "jay"), m.merged());
    assertEquals(20, m.mergedRows());
  }

  @Test
  void maxClassesKeepsTheMostFrequentAndMergesTheRest() {
    ClassMerge m = merge("byRank");
    assertEquals(List.of("cat", "dog", "rest"), m.classes());
    assertEquals(List.of(50L, 40L, 50L), m.counts());
    assertEquals(6, m.merged().size());
  }

  @Test
  void mergingEveryClassIsAPrepError() {
    PrepException e = assertThrows(PrepException.class, () -> merge("all"));
    assertTrue(
        e.getMessage().contains("task all: every training class has fewer than 1000 rows"),
        e.getMessage());
  }

  @Test
  void anEncodingMapsMergedAndUnseenValuesToTheOtherClassAndKeepsKnownOnes() {
    ClassMerge m = merge("byCount");
    TaskEncoding t =
        new TaskEncoding(
            "byCount",
            TaskConfig.TaskType.MULTICLASS,
            "a",
            1,
            m.classes(),
            m.counts(),
            0,
            1,
            140,
            TaskConfig.Loss.MSE,
            1,
            TaskConfig.Transform.NONE,
            "other",
            m.merged(),
            m.mergedRows());
    assertEquals("dog", t.classOf("dog"));
    assertEquals("other", t.classOf("jay"));
    assertEquals("other", t.classOf("never-seen"));
    assertEquals(4, t.width());
  }

  @Test
  void aLog1pTargetIsStandardizedOnTheLogScaleAndComesBackInLabelUnits() {
    TaskEncoding t =
        new TaskEncoding(
            "spend",
            TaskConfig.TaskType.REGRESSION,
            "spend",
            1,
            List.of(),
            List.of(),
            2.0,
            0.5,
            10,
            TaskConfig.Loss.MSE,
            1,
            TaskConfig.Transform.LOG1P,
            "",
            List.of(),
            0);
    assertEquals((Math.log(1 + 99.0) - 2.0) / 0.5, t.target(99.0), 1e-12);
    for (double y : new double[] {0, 0.5, 3, 99, 12345.678, -0.9}) {
      assertEquals(y, t.label(t.target(y)), 1e-9 * Math.max(1, y));
    }
    assertEquals(Math.exp(2.0) - 1, t.label(0), 1e-12, "target 0 is the training mean of log1p(y)");
  }
}
