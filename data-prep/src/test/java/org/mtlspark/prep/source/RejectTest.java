package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Rejects are grouped by source, field and reason with the values taken out and the rules kept. */
class RejectTest {
  private static String category(String field, String reason) {
    return new Reject("census", "f.csv", 1, "k", field, reason, "").category();
  }

  @Test
  void theRuleInParenthesesKeepsItsDigitsWhileValuesAndCountsAreReplaced() {
    assertEquals(
        "census.income: not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"…\"",
        category("income", "not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"50K\""));
    assertEquals(
        "census.ts: not a timestamp (a number or ISO-8601 text): \"…\"",
        category("ts", "not a timestamp (a number or ISO-8601 text): \"2020-13-45\""));
    assertEquals(
        "census.(row): expected N cells, found N", category("(row)", "expected 15 cells, found 3"));
    assertEquals(
        "census.(row): unclosed quote in cell N", category("(row)", "unclosed quote in cell 12"));
    assertEquals(
        "census.income: not a label for transform log1p (a finite number above -1): \"…\"",
        category("income", "not a label for transform log1p (a finite number above -1): \"-7\""));
    assertEquals(
        "census.age: not a finite number: \"…\"", category("age", "not a finite number: \"(4)2\""));
    assertEquals(
        "census.pixels: not an image (an encoded PNG, JPEG, GIF or BMP, or 16x16 raw grey pixels: 256 bytes);"
            + " found N bytes",
        category(
            "pixels",
            "not an image (an encoded PNG, JPEG, GIF or BMP, or 16x16 raw grey pixels:"
                + " 256 bytes); found 70 bytes"));
  }

  @Test
  void rowsThatDifferOnlyInTheirValuesFallInOneGroup() {
    Map<String, Long> byReason = new TreeMap<>();
    for (String value : new String[] {"maybe", "2", "unknown (see notes)", "yes please"}) {
      byReason.merge(
          category(
              "plain", "not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"" + value + "\""),
          1L,
          Long::sum);
    }
    byReason.merge(category("(row)", "expected 15 cells, found 14"), 1L, Long::sum);
    byReason.merge(category("(row)", "expected 15 cells, found 16"), 1L, Long::sum);
    assertEquals(
        Map.of(
            "census.plain: not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"…\"",
            4L,
            "census.(row): expected N cells, found N",
            2L),
        byReason);
  }
}
