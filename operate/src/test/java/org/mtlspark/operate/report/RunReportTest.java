package org.mtlspark.operate.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** The report's data as embedded in its script element, without Spark. */
class RunReportTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void embeddedJsonCannotEndTheScriptOrOpenACommentAndReadsBackTheSame() throws Exception {
    List<String> hostile =
        List.of(
            "</script><script>document.title='pwned'</script>",
            "<!--<script>",
            "<img src=x onerror=document.title='pwned'>",
            "a & b",
            "line\u2028separator\u2029end",
            "]]>",
            "</SCRIPT >");
    String json = RunReport.scriptSafe(JSON.writeValueAsString(Map.of("labels", hostile)));
    for (String forbidden : List.of("<", ">", "&", "\u2028", "\u2029")) {
      assertFalse(json.contains(forbidden), forbidden + " left in " + json);
    }
    assertEquals(
        Map.of("labels", hostile), JSON.readValue(json, Map.class), "the value is unchanged");
  }
}
