package org.mtlspark.prep.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The column positions of one CSV file, from its header row. */
public final class CsvHeader implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, Integer> index = new HashMap<>();
  private final int width;

  public CsvHeader(String headerLine) {
    List<String> cells = CsvLine.split(stripBom(headerLine));
    for (int i = 0; i < cells.size(); i++) {
      index.putIfAbsent(cells.get(i).trim(), i);
    }
    width = cells.size();
  }

  /** The required columns this header lacks. */
  public List<String> missing(List<String> required) {
    List<String> out = new ArrayList<>();
    for (String r : required) {
      if (!index.containsKey(r)) {
        out.add(r);
      }
    }
    return out;
  }

  public boolean has(String column) {
    return index.containsKey(column);
  }

  public int position(String column) {
    Integer i = index.get(column);
    if (i == null) {
      throw new IllegalArgumentException("no column " + column);
    }
    return i;
  }

  public int width() {
    return width;
  }

  private static String stripBom(String s) {
    return s.startsWith("\uFEFF") ? s.substring(1) : s;
  }
}
