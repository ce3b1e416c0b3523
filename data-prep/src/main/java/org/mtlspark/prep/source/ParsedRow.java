package org.mtlspark.prep.source;

import java.io.Serializable;

/** A row read from a source: either a keyed value or a reject, with its place for stable ordering. */
public record ParsedRow<T extends Serializable>(
    String key, String file, long line, T value, Reject reject) implements Serializable {

  public static <T extends Serializable> ParsedRow<T> ok(
      String key, String file, long line, T value) {
    return new ParsedRow<>(key, file, line, value, null);
  }

  public static <T extends Serializable> ParsedRow<T> rejected(Reject reject) {
    return new ParsedRow<>(reject.key(), reject.file(), reject.line(), null, reject);
  }

  public boolean isOk() {
    return reject == null;
  }

  /** True when this row comes before {@code other} in (file, line) order: the one kept among duplicates. */
  public boolean before(ParsedRow<?> other) {
    int c = file.compareTo(other.file);
    return c < 0 || (c == 0 && line < other.line);
  }
}
