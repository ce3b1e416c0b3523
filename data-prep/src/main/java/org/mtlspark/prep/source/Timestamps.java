package org.mtlspark.prep.source;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Timestamp cells as numbers on one axis: a number is taken as it is (epoch seconds, or any unit
 * the data uses); ISO-8601 text (an instant, a date-time with or without offset, read as UTC
 * without one, or a date) becomes epoch seconds.
 */
public final class Timestamps {
  private Timestamps() {}

  /** The cell on the time axis, or NaN when it is neither a number nor ISO-8601 text. */
  public static double value(String cell) {
    if (cell == null) {
      return Double.NaN;
    }
    try {
      double v = Double.parseDouble(cell);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      // not a number: try the ISO-8601 forms below
    }
    try {
      return seconds(Instant.parse(cell));
    } catch (DateTimeParseException e) {
      // next form
    }
    try {
      return seconds(OffsetDateTime.parse(cell).toInstant());
    } catch (DateTimeParseException e) {
      // next form
    }
    try {
      return seconds(LocalDateTime.parse(cell).toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      // next form
    }
    try {
      return seconds(LocalDate.parse(cell).atStartOfDay().toInstant(ZoneOffset.UTC));
    } catch (DateTimeParseException e) {
      return Double.NaN;
    }
  }

  private static double seconds(Instant i) {
    return i.getEpochSecond() + i.getNano() / 1e9;
  }
}
