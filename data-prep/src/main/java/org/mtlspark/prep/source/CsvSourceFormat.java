package org.mtlspark.prep.source;

import java.util.List;

/**
 * CSV with a header row: rejects a row with broken quoting or the wrong number of cells, and hands
 * the cells of good rows, by header name, to the source's {@link RowInterpreter}.
 */
public final class CsvSourceFormat extends InterpretedLineFormat {
  private static final long serialVersionUID = 1L;

  public CsvSourceFormat(RowInterpreter interpreter) {
    super(interpreter);
  }

  @Override
  public boolean hasHeader() {
    return true;
  }

  @Override
  public FileParser<SourceValues> open(String file, String headerLine) {
    CsvHeader header = new CsvHeader(headerLine);
    String source = interpreter.sourceName();
    List<String> missing = header.missing(interpreter.requiredColumns());
    if (!missing.isEmpty()) {
      String reason = "the file's header lacks column(s) " + missing + " (header: " + headerLine + ")";
      return (line, text) -> ParsedRow.rejected(new Reject(source, file, line, null, "(header)", reason, text));
    }
    return (line, text) -> {
      List<String> cells;
      try {
        cells = CsvLine.split(text);
      } catch (IllegalArgumentException e) {
        return ParsedRow.rejected(new Reject(source, file, line, null, "(row)", e.getMessage(), text));
      }
      if (cells.size() != header.width()) {
        return ParsedRow.rejected(new Reject(source, file, line, null, "(row)",
            "expected " + header.width() + " cells, found " + cells.size(), text));
      }
      return interpreter.interpret(file, line, column -> header.has(column) ? cells.get(header.position(column)) : null,
          text);
    };
  }
}
