package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EarlyStoppingTest {
  @Test
  void stopsAfterPatienceEpochsWithoutAStrictlyBetterObjective() {
    EarlyStopping s = new EarlyStopping(2, Double.NEGATIVE_INFINITY, -1);
    assertTrue(s.record(0, 0.5));
    assertFalse(s.shouldStop(0));
    assertTrue(s.record(1, 0.6));
    assertFalse(s.record(2, 0.6), "equal is not better");
    assertFalse(s.shouldStop(2));
    assertFalse(s.record(3, 0.55));
    assertTrue(s.shouldStop(3));
    assertEquals(1, s.bestEpoch());
    assertEquals(0.6, s.best());
  }

  @Test
  void zeroPatienceNeverStops() {
    EarlyStopping s = new EarlyStopping(0, Double.NEGATIVE_INFINITY, -1);
    s.record(0, 1);
    for (int e = 1; e < 50; e++) {
      s.record(e, 0);
      assertFalse(s.shouldStop(e));
    }
  }

  @Test
  void aResumedRunContinuesFromItsSavedBest() {
    EarlyStopping s = new EarlyStopping(1, 0.7, 3);
    assertFalse(s.record(4, 0.69));
    assertTrue(s.shouldStop(4));
  }
}
