package org.mtlspark.prep.source;

/**
 * Timestamp cells (duplicates by {@code latest}, nearest-in-time alignment) as numbers on one axis:
 * a number is taken as it is (epoch seconds, or any unit the data uses); a typed value (Parquet
 * TIMESTAMP or DATE) or date text that {@link DateTimes} reads (ISO-8601 with 'T' or a space, with
 * or without an offset, or a date) becomes epoch seconds.
 */
public final class Timestamps {
  private Timestamps() {}

  /** The cell on the time axis, or NaN when it is neither a number nor a date. */
  public static double value(String cell) {
    if (cell == null) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(cell);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      DateTimes.Moment m = DateTimes.parse(cell, null);
      return m == null ? Double.NaN : m.epochSeconds();
    }
  }

  /**
   * A timestamp cell as text that {@link #value} reads: typed values become ISO-8601 text; anything
   * else is its text.
   */
  static String text(Object cell) {
    if (cell instanceof java.sql.Timestamp
        || cell instanceof java.sql.Date
        || cell instanceof java.time.temporal.Temporal) {
      DateTimes.Moment m = DateTimes.parse(cell, null);
      return m == null ? null : m.time().toString();
    }
    return null;
  }
}
