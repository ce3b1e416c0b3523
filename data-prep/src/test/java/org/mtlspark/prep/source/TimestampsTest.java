package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimestampsTest {
  @Test
  void numbersAndIso8601TextShareOneAxis() {
    assertEquals(1260759144.0, Timestamps.value("1260759144"));
    assertEquals(1.5, Timestamps.value("1.5"));
    assertEquals(1767225600.0, Timestamps.value("2026-01-01"));
    assertEquals(1767225630.0, Timestamps.value("2026-01-01T00:00:30Z"));
    assertEquals(1767225630.0, Timestamps.value("2026-01-01T00:00:30"), "no offset: UTC");
    assertEquals(1767225630.0, Timestamps.value("2026-01-01T01:00:30+01:00"));
    assertTrue(Double.isNaN(Timestamps.value("yesterday")));
    assertTrue(Double.isNaN(Timestamps.value(null)));
  }
}
