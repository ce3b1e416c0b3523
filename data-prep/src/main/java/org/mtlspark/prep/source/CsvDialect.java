package org.mtlspark.prep.source;

import java.io.Serializable;
import org.mtlspark.config.SourceConfig;

/**
 * How a CSV file separates and quotes its cells: the delimiter, the quote character (a quote
 * inside a quoted cell is doubled, as RFC 4180 has it), and an optional escape character that
 * makes the next character literal (0 when there is none).
 */
public record CsvDialect(char delimiter, char quote, char escape) implements Serializable {
  /** RFC 4180: comma, double quote, no escape character. */
  public static final CsvDialect RFC_4180 = new CsvDialect(',', '"', (char) 0);

  /** The dialect a source configures (its {@code delimiter}, {@code quote} and {@code escape}). */
  public static CsvDialect of(SourceConfig source) {
    return new CsvDialect(
        SourceConfig.csvChar(source.delimiter()),
        SourceConfig.csvChar(source.quote()),
        source.escape().isEmpty() ? 0 : SourceConfig.csvChar(source.escape()));
  }

  /** Whether an escape character is set; one equal to the quote is no escape (quotes are doubled anyway). */
  public boolean hasEscape() {
    return escape != 0 && escape != quote;
  }
}
