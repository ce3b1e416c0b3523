package org.mtlspark.prep.source;

import java.io.Serializable;
import java.util.List;

/**
 * A CSV source with a header row and a key column: splits each line, rejects a row with broken
 * quoting, the wrong number of cells or no key, and hands the cells of good rows to the subclass.
 */
abstract class CsvFormat<T extends Serializable> implements LineFormat<T> {
  private static final long serialVersionUID = 1L;

  protected final String source;
  protected final String key;
  protected final String nullToken;

  CsvFormat(String source, String key, String nullToken) {
    this.source = source;
    this.key = key;
    this.nullToken = nullToken;
  }

  /** Parses the cells of a row that has a key and the header's width. */
  interface RowParser<T extends Serializable> {
    ParsedRow<T> parse(long line, String key, List<String> cells, String text);
  }

  /** A parser for the rows of one file, with column positions taken from its header. */
  abstract RowParser<T> rows(String file, CsvHeader header);

  /** The columns every file of this source must have. */
  public abstract List<String> requiredColumns();

  @Override
  public final boolean hasHeader() {
    return true;
  }

  @Override
  public final FileParser<T> open(String file, String headerLine) {
    CsvHeader header = new CsvHeader(headerLine);
    int keyAt = header.position(key);
    RowParser<T> rows = rows(file, header);
    return (line, text) -> {
      List<String> cells;
      try {
        cells = CsvLine.split(text);
      } catch (IllegalArgumentException e) {
        return ParsedRow.rejected(new Reject(source, file, line, null, "(row)", e.getMessage(), text));
      }
      String k = cells.size() > keyAt ? cells.get(keyAt).trim() : "";
      if (cells.size() != header.width()) {
        return ParsedRow.rejected(new Reject(source, file, line, k, "(row)",
            "expected " + header.width() + " cells, found " + cells.size(), text));
      }
      if (k.isEmpty()) {
        return ParsedRow.rejected(new Reject(source, file, line, null, key, "missing key", text));
      }
      return rows.parse(line, k, cells, text);
    };
  }

  /** True for an empty cell or the null token: a missing value. */
  final boolean isNull(String cell) {
    return cell.isEmpty() || cell.equals(nullToken);
  }
}
