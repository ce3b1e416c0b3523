package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.mtlspark.prep.io.Iterators;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * JSON lines: one object per line; blank lines are skipped. Strings, numbers and booleans are
 * cells; an array of scalars is a list (a multi-label cell); a line that is not a JSON object is
 * rejected, and so is a line longer than {@link TextFormat#MAX_RECORD_CHARS} characters (read to
 * its end, never held whole).
 */
public final class JsonSourceFormat extends InterpretedTextFormat {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public JsonSourceFormat(RowInterpreter interpreter, Charset charset) {
    super(interpreter, charset);
  }

  @Override
  public Iterator<ParsedRow<SourceValues>> rows(String file, BufferedReader in) {
    LineReader lines = new LineReader(in, MAX_RECORD_CHARS);
    long[] lineNumber = {0};
    return Iterators.until(
        () -> {
          LineReader.Line line;
          do {
            line = lines.next();
            lineNumber[0]++;
          } while (line != null && !line.cut() && line.text().isBlank());
          if (line == null) {
            return null;
          }
          return line.cut()
              ? ParsedRow.rejected(
                  new Reject(
                      sourceName(), file, lineNumber[0], null, "(row)", tooLong(), line.text()))
              : parse(file, lineNumber[0], line.text());
        });
  }

  /** The reason a line longer than {@link TextFormat#MAX_RECORD_CHARS} is rejected. */
  static String tooLong() {
    return "a line longer than " + MAX_RECORD_CHARS + " characters";
  }

  /** The row of line {@code line} (1-based) of {@code file}. */
  public ParsedRow<SourceValues> parse(String file, long line, String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (Exception e) {
      return ParsedRow.rejected(
          new Reject(
              sourceName(),
              file,
              line,
              null,
              "(row)",
              "not valid JSON: " + firstLine(e.getMessage()),
              text));
    }
    if (node == null || !node.isObject()) {
      return ParsedRow.rejected(
          new Reject(sourceName(), file, line, null, "(row)", "not a JSON object", text));
    }
    return interpreter.interpret(file, line, column -> value(node.get(column)), text);
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
