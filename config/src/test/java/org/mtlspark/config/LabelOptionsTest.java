package org.mtlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The label options of a task are checked against its type before any data is read, all at once. */
class LabelOptionsTest {
  @Test
  void optionsOfAnotherTypeAndInconsistentValuesAreEachReportedWithTheirPath() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.fromYaml(
                    """
        tasks:
          - {name: a, type: regression, source: labels, column: a, positive: good, minClassCount: 5}
          - {name: b, type: binary, source: labels, column: b, negative: bad, transform: log1p}
          - {name: c, type: binary, source: labels, column: c, positive: Good, negative: good}
          - {name: d, type: multiclass, source: labels, column: d, maxClasses: 1, minClassCount: -2, otherClass: ""}
          - {name: e, type: ordinal, source: labels, column: e, classes: [low, Low]}
          - {name: f, type: ordinal, source: labels, column: f}
          - {name: g, type: multiclass, source: labels, column: g, classes: [a, b]}
        """,
                    "bad.yaml"));
    assertEquals(
        List.of(
            "tasks[0].positive: applies to binary tasks only; a is regression",
            "tasks[0].minClassCount: applies to multiclass tasks only; a is regression",
            "tasks[1].negative: needs positive: with negative alone, which value is positive is unknown",
            "tasks[1].transform: applies to regression tasks only; b is binary",
            "tasks[2].negative: must differ from positive, both are \"Good\"",
            "tasks[3].minClassCount: must be >= 0, was -2",
            "tasks[3].maxClasses: must be 0 (no limit) or >= 2 (a kept class and the other class), was 1",
            "tasks[3].otherClass: must not be empty",
            "tasks[4].classes: must be distinct (ignoring case), was [low, Low]",
            "tasks[5].classes: an ordinal task lists its classes in order, lowest first (at least 2), was []",
            "tasks[6].classes: applies to ordinal tasks only; g is multiclass"),
        e.problems());
  }
}
