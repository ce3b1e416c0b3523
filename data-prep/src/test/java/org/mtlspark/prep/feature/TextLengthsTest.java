package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextLengthsTest {
  @Test
  void coversNineTextsInTenRoundedUpToAMultipleOfEight() {
    Map<Integer, Long> lengths = new HashMap<>();
    // 100 texts of 1 to 100 terms: 90 of them have at most 90.
    for (int i = 1; i <= 100; i++) {
      lengths.put(i, 1L);
    }
    assertEquals(96, TextLengths.chosen(lengths));
  }

  @Test
  void shortTextsGetTheFewestPositionsAndLongOnesTheMost() {
    assertEquals(8, TextLengths.chosen(Map.of(2, 50L, 3, 40L, 40, 10L)), "titles");
    assertEquals(256, TextLengths.chosen(Map.of(257, 100L)), "capped");
    assertEquals(8, TextLengths.chosen(Map.of()), "no text at all");
  }

  @Test
  void aFewLongTextsDoNotSetTheLength() {
    assertEquals(56, TextLengths.chosen(Map.of(50, 95L, 257, 5L)));
  }
}
