package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvLineTest {
  @Test
  void splitsPlainQuotedAndEmptyCells() {
    assertEquals(List.of("a", "b,c", "", "say \"hi\"", ""), CsvLine.split("a,\"b,c\",,\"say \"\"hi\"\"\","));
    assertEquals(List.of(""), CsvLine.split(""));
  }

  @Test
  void rejectsBrokenQuoting() {
    assertEquals("unclosed quote in cell 2",
        assertThrows(IllegalArgumentException.class, () -> CsvLine.split("a,\"b")).getMessage());
    assertEquals("text after the closing quote of cell 1",
        assertThrows(IllegalArgumentException.class, () -> CsvLine.split("\"a\"x,b")).getMessage());
  }
}
