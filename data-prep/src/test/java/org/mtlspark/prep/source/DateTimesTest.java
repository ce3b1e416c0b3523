package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;

/** Dates as people write them, and the features a model gets from them. */
class DateTimesTest {
  private static final LocalDateTime TWEET = LocalDateTime.of(2009, 12, 23, 17, 38, 18);

  @Test
  void isoTextWithOrWithoutZoneTimeOrTSeparator() {
    assertEquals(TWEET, DateTimes.parse("2009-12-23T17:38:18Z", null).time());
    assertEquals(
        TWEET,
        DateTimes.parse("2009-12-23T19:38:18+02:00", null).time(),
        "an offset is taken in UTC");
    assertEquals(TWEET, DateTimes.parse("2009-12-23 17:38:18", null).time());
    assertEquals(
        TWEET, DateTimes.parse("2009-12-23 17:38:18.0", null).time(), "java.sql.Timestamp's text");
    assertEquals(TWEET, DateTimes.parse("2009-12-23T17:38:18", null).time());
    DateTimes.Moment day = DateTimes.parse("2009-12-23", null);
    assertEquals(TWEET.toLocalDate().atStartOfDay(), day.time());
    assertFalse(day.hasTime());
    assertTrue(DateTimes.parse("2009-12-23 17:38", null).hasTime());
  }

  @Test
  void epochNumbersTypedValuesAndPatterns() {
    long seconds = TWEET.toEpochSecond(java.time.ZoneOffset.UTC);
    assertEquals(TWEET, DateTimes.parse(String.valueOf(seconds), null).time());
    assertEquals(TWEET, DateTimes.parse((double) seconds, null).time());
    assertEquals(TWEET, DateTimes.parse(String.valueOf(seconds * 1000), "epoch_millis").time());
    assertEquals(TWEET, DateTimes.parse(java.sql.Timestamp.valueOf(TWEET), null).time());
    assertEquals(
        TWEET.toLocalDate().atStartOfDay(),
        DateTimes.parse(java.sql.Date.valueOf(TWEET.toLocalDate()), null).time());
    assertEquals(
        LocalDateTime.of(1998, 6, 12, 0, 0), DateTimes.parse("Jun 12 1998", "MMM d yyyy").time());
    assertEquals(
        LocalDateTime.of(1998, 6, 12, 0, 0),
        DateTimes.parse("JUN 12 1998", "MMM d yyyy").time(),
        "month names in any case");
    assertEquals(
        LocalDateTime.of(1998, 6, 2, 14, 5),
        DateTimes.parse("02/06/1998 14:05", "dd/MM/yyyy HH:mm").time());
  }

  @Test
  void aTypedTimestampIsAnInstantReadInUtcWhateverTheJvmZone() {
    java.util.TimeZone zone = java.util.TimeZone.getDefault();
    try {
      java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));
      java.sql.Timestamp t =
          java.sql.Timestamp.from(java.time.Instant.parse("2020-01-01T00:00:00Z"));
      assertEquals(LocalDateTime.of(2020, 1, 1, 0, 0), DateTimes.parse(t, null).time());
      assertEquals("2020-01-01T00:00", Timestamps.text(t));
    } finally {
      java.util.TimeZone.setDefault(zone);
    }
  }

  @Test
  void impossibleDatesAreNotMovedToPossibleOnes() {
    assertNull(DateTimes.parse("2009-02-30T10:00", null));
    assertNull(DateTimes.parse("2009-02-30", null));
  }

  @Test
  void whatIsNotADateIsNull() {
    assertNull(DateTimes.parse("Jun 12 1998", null), "not ISO and no pattern");
    assertNull(DateTimes.parse("2009-13-45", null));
    assertNull(DateTimes.parse("12/06/1998", "MMM d yyyy"));
    assertNull(DateTimes.parse("", null));
    assertNull(DateTimes.parse(null, null));
    assertNull(DateTimes.parse(Double.NaN, null));
  }

  @Test
  void featuresPutPeriodicPartsOnACircle() {
    double[] f = new double[DateTimes.FEATURES.size() + 1];
    DateTimes.features(DateTimes.parse("2009-12-23T18:00:00Z", null), f, 1);
    assertEquals(2009, f[1]);
    double december = 2 * Math.PI * 11 / 12;
    assertEquals(Math.sin(december), f[2], 1e-12);
    assertEquals(Math.cos(december), f[3], 1e-12);
    double wednesday = 2 * Math.PI * 2 / 7;
    assertEquals(Math.sin(wednesday), f[4], 1e-12);
    assertEquals(Math.cos(wednesday), f[5], 1e-12);
    assertEquals(-1.0, f[6], 1e-12, "18:00 is three quarters round the day");
    assertEquals(0.0, f[7], 1e-12);
    assertEquals(14601.75, f[8], 1e-9, "days since 1970-01-01");
    DateTimes.features(DateTimes.parse("2009-12-23", null), f, 1);
    assertTrue(Double.isNaN(f[6]) && Double.isNaN(f[7]), "a date alone has no hour");
    DateTimes.features(null, f, 1);
    for (int i = 1; i < f.length; i++) {
      assertTrue(Double.isNaN(f[i]), "a missing date is missing in every feature");
    }
  }
}
