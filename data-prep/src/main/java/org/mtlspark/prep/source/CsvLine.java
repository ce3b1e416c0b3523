package org.mtlspark.prep.source;

import java.util.ArrayList;
import java.util.List;

/** Splits one CSV line (RFC 4180 quoting, comma separated) into cells. */
public final class CsvLine {
  private CsvLine() {}

  /**
   * The cells of {@code line}.
   *
   * @throws IllegalArgumentException when a quote is not closed or a quoted cell is followed by text
   */
  public static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    int i = 0;
    int n = line.length();
    while (true) {
      if (i < n && line.charAt(i) == '"') {
        i++;
        while (true) {
          if (i >= n) {
            throw new IllegalArgumentException("unclosed quote in cell " + (cells.size() + 1));
          }
          char c = line.charAt(i++);
          if (c == '"') {
            if (i < n && line.charAt(i) == '"') {
              cell.append('"');
              i++;
            } else {
              break;
            }
          } else {
            cell.append(c);
          }
        }
        if (i < n && line.charAt(i) != ',') {
          throw new IllegalArgumentException("text after the closing quote of cell " + (cells.size() + 1));
        }
      } else {
        while (i < n && line.charAt(i) != ',') {
          cell.append(line.charAt(i++));
        }
      }
      cells.add(cell.toString());
      cell.setLength(0);
      if (i >= n) {
        return cells;
      }
      i++; // the comma
    }
  }
}
