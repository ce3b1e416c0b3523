package org.mtlspark.prep.source;

import java.util.List;

/** CSV with a header: the key, numeric columns and categorical columns. */
public final class TabularFormat implements LineFormat<TabularValues> {
  private static final long serialVersionUID = 1L;
  public static final String SOURCE = "tabular";

  private final String key;
  private final List<String> numeric;
  private final List<String> categorical;
  private final String nullToken;

  public TabularFormat(String key, List<String> numeric, List<String> categorical, String nullToken) {
    this.key = key;
    this.numeric = List.copyOf(numeric);
    this.categorical = List.copyOf(categorical);
    this.nullToken = nullToken;
  }

  @Override
  public boolean hasHeader() {
    return true;
  }

  @Override
  public FileParser<TabularValues> open(String file, String headerLine) {
    CsvHeader header = new CsvHeader(headerLine);
    int keyAt = header.position(key);
    int[] numAt = numeric.stream().mapToInt(header::position).toArray();
    int[] catAt = categorical.stream().mapToInt(header::position).toArray();
    return (line, text) -> {
      List<String> cells;
      try {
        cells = CsvLine.split(text);
      } catch (IllegalArgumentException e) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, null, "(row)", e.getMessage(), text));
      }
      String k = cells.size() > keyAt ? cells.get(keyAt).trim() : "";
      if (cells.size() != header.width()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, k, "(row)",
            "expected " + header.width() + " cells, found " + cells.size(), text));
      }
      if (k.isEmpty()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, line, null, key, "missing key", text));
      }
      double[] num = new double[numAt.length];
      for (int i = 0; i < numAt.length; i++) {
        String cell = cells.get(numAt[i]).trim();
        if (isNull(cell)) {
          num[i] = Double.NaN;
          continue;
        }
        try {
          num[i] = Double.parseDouble(cell);
        } catch (NumberFormatException e) {
          num[i] = Double.NaN;
        }
        if (!Double.isFinite(num[i])) {
          return ParsedRow.rejected(new Reject(SOURCE, file, line, k, numeric.get(i),
              "not a finite number: \"" + cell + "\"", text));
        }
      }
      String[] cat = new String[catAt.length];
      for (int i = 0; i < catAt.length; i++) {
        String cell = cells.get(catAt[i]).trim();
        cat[i] = isNull(cell) ? null : cell;
      }
      return ParsedRow.ok(k, file, line, new TabularValues(num, cat));
    };
  }

  private boolean isNull(String cell) {
    return cell.isEmpty() || cell.equals(nullToken);
  }

  /** The columns every file of this source must have. */
  public List<String> requiredColumns() {
    List<String> all = new java.util.ArrayList<>();
    all.add(key);
    all.addAll(numeric);
    all.addAll(categorical);
    return all;
  }
}
