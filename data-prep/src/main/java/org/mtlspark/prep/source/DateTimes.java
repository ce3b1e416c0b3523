package org.mtlspark.prep.source;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mtlspark.config.SourceConfig;

/**
 * Date and time cells, as people have them: typed values (Parquet TIMESTAMP and DATE), ISO-8601
 * text with or without a zone or a time ({@code 2009-12-23T17:38:18Z}, {@code 2009-12-23 17:38:18},
 * {@code 2009-12-23}), epoch numbers, or text in a column's own pattern ({@code MMM d yyyy} for
 * {@code Jun 12 1998}). A value with a zone or offset is taken in UTC; one without is taken as it
 * reads.
 *
 * <p>As a feature, a date becomes {@link #FEATURES}: the year, the month, the day of the week and
 * the hour each as a point on a circle (sine and cosine, so December is next to January), and the
 * days since 1970-01-01. A value without a time of day has no hour (NaN, a missing value).
 */
public final class DateTimes {
  /** The numeric features of one date column, in order. */
  public static final List<String> FEATURES =
      List.of(
          "year",
          "month_sin",
          "month_cos",
          "weekday_sin",
          "weekday_cos",
          "hour_sin",
          "hour_cos",
          "days");

  /** ISO-8601 date-times with 'T' or a space, optional seconds and fraction, optional offset or 'Z'. */
  private static final DateTimeFormatter ISO_LENIENT =
      new DateTimeFormatterBuilder()
          .append(DateTimeFormatter.ISO_LOCAL_DATE)
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .append(DateTimeFormatter.ISO_LOCAL_TIME)
          .optionalStart()
          .appendOffsetId()
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .optionalStart()
          .appendZoneRegionId()
          .optionalEnd()
          .toFormatter(Locale.ROOT)
          .withResolverStyle(ResolverStyle.STRICT);

  /** Formatters of the patterns seen so far (a pattern per column: few). */
  private static final Map<String, DateTimeFormatter> PATTERNS = new ConcurrentHashMap<>();

  private DateTimes() {}

  /** A point in time read from a cell: its wall-clock time (UTC when the cell had a zone), and whether it had a time of day. */
  public record Moment(LocalDateTime time, boolean hasTime) {
    public double epochSeconds() {
      return time.toEpochSecond(ZoneOffset.UTC) + time.getNano() / 1e9;
    }
  }

  /** A formatter for a column's {@code dateFormats} pattern (case-insensitive, English names); null for epoch words. */
  public static DateTimeFormatter formatter(String pattern) {
    if (pattern == null
        || pattern.isEmpty()
        || pattern.equals(SourceConfig.EPOCH_SECONDS)
        || pattern.equals(SourceConfig.EPOCH_MILLIS)) {
      return null;
    }
    return PATTERNS.computeIfAbsent(
        pattern,
        p ->
            new DateTimeFormatterBuilder()
                .parseCaseInsensitive()
                .appendPattern(p)
                .toFormatter(Locale.ENGLISH));
  }

  /**
   * The moment in {@code cell}, or null when the cell is missing or is not a date: a typed value,
   * a number (epoch seconds, or milliseconds when {@code pattern} is {@code epoch_millis}), text in
   * {@code pattern} when one is given, else ISO-8601 text or an epoch number.
   */
  public static Moment parse(Object cell, String pattern) {
    if (cell == null) {
      return null;
    }
    if (cell instanceof java.sql.Timestamp t) {
      // An instant: in UTC, whatever the JVM's time zone.
      return new Moment(LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC), true);
    }
    if (cell instanceof java.sql.Date d) {
      return new Moment(d.toLocalDate().atStartOfDay(), false);
    }
    if (cell instanceof Instant i) {
      return new Moment(LocalDateTime.ofInstant(i, ZoneOffset.UTC), true);
    }
    if (cell instanceof LocalDateTime t) {
      return new Moment(t, true);
    }
    if (cell instanceof LocalDate d) {
      return new Moment(d.atStartOfDay(), false);
    }
    boolean millis = SourceConfig.EPOCH_MILLIS.equals(pattern);
    if (cell instanceof Number n) {
      return epoch(n.doubleValue(), millis);
    }
    String text = String.valueOf(cell).trim();
    if (text.isEmpty()) {
      return null;
    }
    DateTimeFormatter custom = formatter(pattern);
    if (custom != null) {
      return parseText(text, custom);
    }
    try {
      return epoch(Double.parseDouble(text), millis);
    } catch (NumberFormatException e) {
      return parseText(text, ISO_LENIENT);
    }
  }

  /** Text as a moment by {@code format}: a full date-time, a date-time with an offset, or a date. */
  static Moment parseText(String text, DateTimeFormatter format) {
    TemporalAccessor t;
    try {
      t =
          format.parseBest(
              text,
              ZonedDateTime::from,
              OffsetDateTime::from,
              LocalDateTime::from,
              LocalDate::from);
    } catch (DateTimeParseException e) {
      return plainDate(text, format);
    }
    if (t instanceof ZonedDateTime z) {
      return new Moment(z.withZoneSameInstant(ZoneOffset.UTC).toLocalDateTime(), true);
    }
    if (t instanceof OffsetDateTime o) {
      return new Moment(o.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime(), true);
    }
    if (t instanceof LocalDateTime l) {
      return new Moment(l, true);
    }
    return new Moment(((LocalDate) t).atStartOfDay(), false);
  }

  /** ISO dates have no time part for the lenient formatter to skip; read them on their own. */
  private static Moment plainDate(String text, DateTimeFormatter format) {
    if (format != ISO_LENIENT) {
      return null;
    }
    try {
      return new Moment(LocalDate.parse(text).atStartOfDay(), false);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Moment epoch(double value, boolean millis) {
    if (!Double.isFinite(value)) {
      return null;
    }
    double seconds = millis ? value / 1000 : value;
    if (Math.abs(seconds) > 1e13) {
      return null;
    }
    long whole = (long) Math.floor(seconds);
    int nanos = (int) Math.round((seconds - whole) * 1e9);
    return new Moment(
        LocalDateTime.ofEpochSecond(whole, Math.min(nanos, 999_999_999), ZoneOffset.UTC), true);
  }

  /** Writes the {@link #FEATURES} of {@code m} into {@code out} from {@code at}; all NaN when {@code m} is null. */
  public static void features(Moment m, double[] out, int at) {
    if (m == null) {
      java.util.Arrays.fill(out, at, at + FEATURES.size(), Double.NaN);
      return;
    }
    LocalDateTime t = m.time();
    double month = 2 * Math.PI * (t.getMonthValue() - 1) / 12.0;
    double weekday =
        2 * Math.PI * (t.getDayOfWeek().getValue() - DayOfWeek.MONDAY.getValue()) / 7.0;
    double hour = 2 * Math.PI * (t.get(ChronoField.SECOND_OF_DAY) / 3600.0) / 24.0;
    out[at] = t.getYear();
    out[at + 1] = Math.sin(month);
    out[at + 2] = Math.cos(month);
    out[at + 3] = Math.sin(weekday);
    out[at + 4] = Math.cos(weekday);
    out[at + 5] = m.hasTime() ? Math.sin(hour) : Double.NaN;
    out[at + 6] = m.hasTime() ? Math.cos(hour) : Double.NaN;
    out[at + 7] = m.epochSeconds() / 86_400.0;
  }
}
