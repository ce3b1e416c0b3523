package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TrainConfig.Weighting;

class TaskWeightingTest {
  private static final double[] ONES = {1, 1, 1};

  @Test
  void staticWeightsAreTheConfiguredOnes() {
    TaskWeighting w = new TaskWeighting(Weighting.STATIC, 2, new double[] {1, 0.5, 2}, null);
    w.record(new double[] {3, 2, 1});
    w.record(new double[] {1, 2, 3});
    assertArrayEquals(new double[] {1, 0.5, 2}, w.weights(), 0);
  }

  @Test
  void dwaWeighsUpTheTaskWhoseLossFallsSlowestAndKeepsTheSum() {
    TaskWeighting w = new TaskWeighting(Weighting.DWA, 2, ONES, null);
    assertArrayEquals(ONES, w.weights(), 0, "equal weights before any loss");
    w.record(new double[] {1.0, 1.0, 1.0});
    assertArrayEquals(ONES, w.weights(), 0, "and until two losses are known");
    // Task 0 halves its loss, task 1 keeps it, task 2 gets worse.
    w.record(new double[] {0.5, 1.0, 1.2});
    double[] l = w.weights();
    assertTrue(l[0] < l[1] && l[1] < l[2], Arrays.toString(l));
    assertEquals(3.0, Arrays.stream(l).sum(), 1e-12, "weights sum to the task count");
    double e0 = Math.exp(0.5 / 2);
    double e1 = Math.exp(1.0 / 2);
    double e2 = Math.exp(1.2 / 2);
    assertEquals(3 * e0 / (e0 + e1 + e2), l[0], 1e-12, "K exp(w_k / T) / sum_i exp(w_i / T)");
  }

  @Test
  void inverseLossWeighsDownTheNoisierTask() {
    TaskWeighting w = new TaskWeighting(Weighting.INVERSE_LOSS, 2, ONES, null);
    w.record(new double[] {0.2, 0.4, 0.8});
    double[] l = w.weights();
    assertTrue(l[0] > l[1] && l[1] > l[2], Arrays.toString(l));
    assertEquals(2.0, l[0] / l[1], 1e-12, "weight proportional to 1 / loss");
    assertEquals(3.0, Arrays.stream(l).sum(), 1e-12);
  }

  @Test
  void labelRateCompensationScalesASparseTaskUp() {
    TaskWeighting w =
        new TaskWeighting(Weighting.STATIC, 2, new double[] {1, 2}, new double[] {1.0, 0.1});
    assertArrayEquals(new double[] {1, 20}, w.weights(), 1e-9);
  }

  @Test
  void unusableLossesLeaveTheWeightsAlone() {
    TaskWeighting w = new TaskWeighting(Weighting.INVERSE_LOSS, 2, ONES, null);
    w.record(new double[] {0.2, Double.NaN, 0.8});
    assertArrayEquals(ONES, w.weights(), 0);
  }
}
