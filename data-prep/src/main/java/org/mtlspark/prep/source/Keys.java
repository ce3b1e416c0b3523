package org.mtlspark.prep.source;

import java.util.List;

/**
 * Key values as one string: the values of the key columns joined by the unit separator (U+001F),
 * which no sane key contains; a single-column key is its value unchanged.
 */
public final class Keys {
  public static final char SEPARATOR = '\u001F';

  private Keys() {}

  public static String join(List<String> values) {
    return String.join(String.valueOf(SEPARATOR), values);
  }

  public static String[] split(String key) {
    return key.split(String.valueOf(SEPARATOR), -1);
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
