package org.mtlspark.bench.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaMTest {
  static final Map<String, String> METRICS = new LinkedHashMap<>();

  static {
    METRICS.put("spend", "rmse");
    METRICS.put("tier", "accuracy");
  }

  static final Map<String, Double> SINGLE = Map.of("spend", 2.0, "tier", 0.8);

  @Test
  void aLowerErrorCountsAsAGainAndALowerAccuracyAsALoss() {
    // rmse 2.0 -> 1.8: 10% better; accuracy 0.80 -> 0.76: 5% worse; the mean: +2.5%.
    assertEquals(0.025, DeltaM.of(METRICS, SINGLE, Map.of("spend", 1.8, "tier", 0.76)), 1e-12);
    // rmse 2.0 -> 2.2: 10% worse; accuracy unchanged: -5%.
    assertEquals(-0.05, DeltaM.of(METRICS, SINGLE, Map.of("spend", 2.2, "tier", 0.8)), 1e-12);
    assertEquals(0.0, DeltaM.of(METRICS, SINGLE, SINGLE), 1e-12);
  }

  @Test
  void overSeedsGivesTheMeanAndSampleDeviationOfEachRunsValue() {
    Spread s =
        DeltaM.over(
            METRICS,
            SINGLE,
            List.of(Map.of("spend", 1.8, "tier", 0.76), Map.of("spend", 2.2, "tier", 0.8)));
    assertEquals(2, s.runs());
    assertEquals((0.025 - 0.05) / 2, s.mean(), 1e-12);
    assertEquals(Math.sqrt(2 * Math.pow(0.0375, 2)), s.sd(), 1e-12);
  }

  @Test
  void aTaskWithoutAFigureIsRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> DeltaM.of(METRICS, SINGLE, Map.of("spend", 1.0)));
  }
}
