package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.testing.TrainConfigs;

class EarlyStoppingTest {
  private static EarlyStopping fresh(int patience, double tolerance) {
    return EarlyStopping.fresh(
        TrainConfigs.defaults().patience(patience).selectionTolerance(tolerance).build());
  }

  @Test
  void stopsAfterPatienceEpochsWithoutAStrictlyBetterObjective() {
    EarlyStopping s = fresh(2, 0);
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
    EarlyStopping s = fresh(0, 0);
    s.record(0, 1);
    for (int e = 1; e < 50; e++) {
      s.record(e, 0);
      assertFalse(s.shouldStop(e));
    }
  }

  @Test
  void aLaterEpochWithinTheToleranceIsKeptOverANoisyEarlyPeak() {
    // Epoch 2 (index 1) peaks by noise; epochs 3 to 5 are as good within 0.01 and are kept in
    // turn; epoch 6 falls further and is not.
    EarlyStopping s = fresh(2, 0.01);
    assertTrue(s.record(0, 0.40));
    assertTrue(s.record(1, 0.52));
    assertTrue(s.record(2, 0.515));
    assertTrue(s.record(3, 0.511));
    assertTrue(s.record(4, 0.519));
    assertEquals(4, s.bestEpoch());
    assertEquals(0.519, s.best());
    assertEquals(0.52, s.peak());
    assertFalse(s.record(5, 0.505), "below the best by more than the tolerance");
    assertFalse(s.shouldStop(5));
    assertFalse(s.record(6, 0.50));
    assertTrue(s.shouldStop(6), "two epochs without one kept");
    assertEquals(4, s.bestEpoch());
  }

  @Test
  void withoutToleranceTheSameObjectivesKeepTheNoisyPeak() {
    EarlyStopping s = fresh(0, 0);
    for (double[] e : new double[][] {{0, 0.40}, {1, 0.52}, {2, 0.515}, {3, 0.511}, {4, 0.519}}) {
      s.record((int) e[0], e[1]);
    }
    assertEquals(1, s.bestEpoch());
  }

  @Test
  void aResumedRunContinuesFromItsSavedBest() {
    EarlyStopping s =
        EarlyStopping.resumed(TrainConfigs.defaults().patience(1).build(), 0.7, 3, List.of());
    assertFalse(s.record(4, 0.69));
    assertTrue(s.shouldStop(4));
  }

  @Test
  void aResumedRunJudgesToleranceAgainstThePeakOfItsHistory() {
    List<Map<String, Object>> history =
        List.of(
            Map.of("epoch", 1, "validationObjective", 0.60),
            Map.of("epoch", 2, "validationObjective", 0.595));
    // Epoch 2 (index 1) was kept within the tolerance of epoch 1's 0.60.
    EarlyStopping s =
        EarlyStopping.resumed(
            TrainConfigs.defaults().selectionTolerance(0.01).build(), 0.595, 1, history);
    assertEquals(0.60, s.peak());
    assertFalse(s.record(2, 0.589), "more than 0.01 below the peak 0.60, not the kept 0.595");
    assertTrue(s.record(3, 0.591));
  }
}
