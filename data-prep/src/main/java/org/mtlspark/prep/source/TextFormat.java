package org.mtlspark.prep.source;

import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** JSON lines: one object per line with the key and a text field. */
public final class TextFormat implements LineFormat<String> {
  private static final long serialVersionUID = 1L;
  public static final String SOURCE = "text";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String key;
  private final String field;

  public TextFormat(String key, String field) {
    this.key = key;
    this.field = field;
  }

  @Override
  public boolean hasHeader() {
    return false;
  }

  @Override
  public FileParser<String> open(String file, String header) {
    return (line, text) -> {
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (Exception e) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, null, "(row)",
            "not valid JSON: " + firstLine(e.getMessage()), text));
      }
      if (node == null || !node.isObject()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, null, "(row)", "not a JSON object", text));
      }
      JsonNode k = node.get(key);
      if (k == null || k.isNull() || !k.isValueNode() || k.asText().isBlank()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, null, key, "missing key", text));
      }
      JsonNode t = node.get(field);
      if (t == null || t.isNull()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, k.asText(), field, "missing text field", text));
      }
      if (!t.isTextual()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, k.asText(), field, "not a string", text));
      }
      return ParsedRow.ok(k.asText().trim(), file, line, t.asText());
    };
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
