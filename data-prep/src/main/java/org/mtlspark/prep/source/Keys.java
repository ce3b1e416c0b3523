package org.mtlspark.prep.source;

import java.util.List;
import org.mtlspark.config.DataConfig;

/**
 * Key values as one string: the values of the key columns joined by the unit separator (U+001F),
 * which no sane key contains; a single-column key is its value unchanged.
 */
public final class Keys {
  public static final char SEPARATOR = '\u001F';

  /**
   * The key column of a table without one: a row's place, its file (relative to the source's
   * folder) and the line its record starts on, such as {@code films.csv:12}. Stable across runs on
   * the same files, and for rows appended at the end of a file.
   */
  public static final String ROW = DataConfig.ROW;

  private Keys() {}

  public static String join(List<String> values) {
    return String.join(String.valueOf(SEPARATOR), values);
  }

  public static String[] split(String key) {
    return key.split(String.valueOf(SEPARATOR), -1);
  }

  /** The {@link #ROW} key of the record starting at {@code line} of {@code file}, named relative to {@code base}. */
  public static String row(String file, String base, long line) {
    String name =
        !base.isEmpty() && file.startsWith(base + "/")
            ? file.substring(base.length() + 1)
            : file.substring(file.lastIndexOf('/') + 1);
    return name + ":" + line;
  }

  /** The key for people: values joined by ", ". */
  public static String display(String key) {
    return key.replace(String.valueOf(SEPARATOR), ", ");
  }

  /** The part of {@code key} (with columns {@code columns}) made of the columns {@code part}, in that order. */
  public static String project(String key, List<String> columns, List<String> part) {
    if (part.equals(columns)) {
      return key;
    }
    String[] values = split(key);
    String[] out = new String[part.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values[columns.indexOf(part.get(i))];
    }
    return String.join(String.valueOf(SEPARATOR), out);
  }
}
