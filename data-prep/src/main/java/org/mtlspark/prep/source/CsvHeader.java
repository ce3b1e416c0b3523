package org.mtlspark.prep.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The column positions of one CSV file, from its header record (names trimmed; the first of a repeated name wins). */
public final class CsvHeader implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> names;

  public CsvHeader(List<String> cells) {
    names = cells.stream().map(String::trim).toList();
    for (int i = 0; i < names.size(); i++) {
      index.putIfAbsent(names.get(i), i);
    }
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
    return names.size();
  }

  /** The column names, in file order. */
  public List<String> names() {
    return names;
  }

  @Override
  public String toString() {
    return String.join(",", names);
  }
}
