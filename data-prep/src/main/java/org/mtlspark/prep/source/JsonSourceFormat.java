package org.mtlspark.prep.source;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * JSON lines: one object per line. Strings, numbers and booleans are cells; an array of scalars
 * is a list (a multi-label cell); a line that is not a JSON object is rejected.
 */
public final class JsonSourceFormat extends InterpretedLineFormat {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public JsonSourceFormat(RowInterpreter interpreter) {
    super(interpreter);
  }

  @Override
  public boolean hasHeader() {
    return false;
  }

  @Override
  public FileParser<SourceValues> open(String file, String header) {
    String source = interpreter.sourceName();
    return (line, text) -> {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (Exception e) {
        return ParsedRow.rejected(new Reject(source, file, line, null, "(row)",
            "not valid JSON: " + firstLine(e.getMessage()), text));
      }
      if (node == null || !node.isObject()) {
        return ParsedRow.rejected(new Reject(source, file, line, null, "(row)", "not a JSON object", text));
      }
      return interpreter.interpret(file, line, column -> value(node.get(column)), text);
    };
  }

  private static Object value(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isNumber()) {
      return n.doubleValue();
    }
    if (n.isArray()) {
      List<String> out = new ArrayList<>();
      n.forEach(e -> out.add(e.asText()));
      return out;
    }
    if (n.isObject()) {
      return List.of(n.toString());
    }
    return n.asText();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
