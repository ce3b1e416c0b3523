package org.mtlspark.prep.source;

/**
 * The cells of one row of any format, by column name. A value is a {@code String}, a {@code
 * Number}, a {@code Boolean}, a {@code byte[]}, a {@code java.util.List} of strings, or null when
 * the row has no value there.
 */
@FunctionalInterface
public interface Cells {
  Object get(String column);
}
