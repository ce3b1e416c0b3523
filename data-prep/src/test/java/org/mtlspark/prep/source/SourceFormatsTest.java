package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.config.TaskConfig.TaskType;

/** Each source format names the file, line, field and reason of a bad row, and parses good rows by header. */
class SourceFormatsTest {
  @Test
  void tabularRowsAreParsedByHeaderAndBadCellsAreRejectedWithTheirPlace() {
    TabularFormat f = new TabularFormat("id", List.of("x", "y"), List.of("c"), "NA");
    LineFormat.FileParser<TabularValues> p = f.open("t.csv", "c,y,id,x");
    ParsedRow<TabularValues> ok = p.parse(2, "red,NA,k1,1.5");
    assertTrue(ok.isOk());
    assertEquals("k1", ok.key());
    assertEquals(1.5, ok.value().numeric()[0]);
    assertTrue(Double.isNaN(ok.value().numeric()[1]), "NA is a missing value");
    assertArrayEquals(new String[] {"red"}, ok.value().categorical());

    Reject bad = p.parse(7, "red,1x,k2,1").reject();
    assertEquals(new Reject("tabular", "t.csv", 7, "k2", "y", "not a finite number: \"1x\"", "red,1x,k2,1"), bad);
    assertEquals("expected 4 cells, found 3", p.parse(8, "red,1,k3").reject().reason());
    assertEquals("missing key", p.parse(9, "red,1,,2").reject().reason());
  }

  @Test
  void labelsAreNormalizedPerTaskTypeAndMissingCellsStayMissing() {
    List<TaskConfig> tasks = List.of(new TaskConfig("r", TaskType.REGRESSION, "r", 1),
        new TaskConfig("m", TaskType.MULTICLASS, "m", 1), new TaskConfig("b", TaskType.BINARY, "b", 1));
    LineFormat.FileParser<LabelValues> p = new LabelFormat("id", tasks, "NA").open("l.csv", "id,r,m,b");
    LabelValues v = p.parse(2, "k,2.5,gold,true").value();
    assertArrayEquals(new String[] {"2.5", "gold", "1"}, v.values());
    LabelValues missing = p.parse(3, "k,,NA,").value();
    assertFalse(missing.any());
    Reject bad = p.parse(4, "k,1,gold,yes").reject();
    assertEquals("b", bad.field());
    assertEquals("not a binary label (0/1, true/false): \"yes\"", bad.reason());
    assertEquals(4, bad.line());
  }

  @Test
  void textLinesNeedAnObjectWithKeyAndText() {
    LineFormat.FileParser<String> p = new TextFormat("id", "text").open("x.jsonl", null);
    assertEquals("Great app", p.parse(1, "{\"id\": \"k\", \"text\": \"Great app\"}").value());
    assertTrue(p.parse(2, "{\"id\": \"k\", \"text\": \"cut").reject().reason().startsWith("not valid JSON"));
    assertEquals("missing key", p.parse(3, "{\"text\": \"a\"}").reject().reason());
    assertEquals("not a string", p.parse(4, "{\"id\": 3, \"text\": 5}").reject().reason());
    assertEquals("3", p.parse(4, "{\"id\": 3, \"text\": 5}").reject().key());
    assertNull(p.parse(5, "{\"id\": \"k\", \"text\": \"a\"}").reject());
  }
}
