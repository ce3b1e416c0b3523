package org.mtlspark.prep.source;

import java.util.ArrayList;
import java.util.List;

/** CSV with a header: the key, numeric columns and categorical columns. */
public final class TabularFormat extends CsvFormat<TabularValues> {
  private static final long serialVersionUID = 1L;
  public static final String SOURCE = "tabular";

  private final List<String> numeric;
  private final List<String> categorical;

  public TabularFormat(String key, List<String> numeric, List<String> categorical, String nullToken) {
    super(SOURCE, key, nullToken);
    this.numeric = List.copyOf(numeric);
    this.categorical = List.copyOf(categorical);
  }

  @Override
  RowParser<TabularValues> rows(String file, CsvHeader header) {
    int[] numAt = numeric.stream().mapToInt(header::position).toArray();
    int[] catAt = categorical.stream().mapToInt(header::position).toArray();
    return (line, k, cells, text) -> {
      double[] num = new double[numAt.length];
      for (int i = 0; i < numAt.length; i++) {
        String cell = cells.get(numAt[i]).trim();
        num[i] = isNull(cell) ? Double.NaN : parseFinite(cell);
        if (!isNull(cell) && Double.isNaN(num[i])) {
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

  /** The number in {@code cell}, or NaN when it is not a finite number. */
  private static double parseFinite(String cell) {
    try {
      double v = Double.parseDouble(cell);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  @Override
  public List<String> requiredColumns() {
    List<String> all = new ArrayList<>();
    all.add(key);
    all.addAll(numeric);
    all.addAll(categorical);
    return all;
  }
}
