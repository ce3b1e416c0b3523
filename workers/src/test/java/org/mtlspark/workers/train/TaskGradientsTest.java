package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TaskGradientsTest {

  @Test
  void pcgradProjectsTwoConflictingGradientsOntoEachOthersNormalPlane() {
    // g1 . g2 = -1 < 0: g1 - (-1 / 2) g2 = (0.5, 0.5); g2 - (-1 / 1) g1 = (0, 1).
    double[][] g = {{1, 0}, {-1, 1}};
    assertArrayEquals(new double[] {0.5, 1.5}, TaskGradients.pcgrad(g, new Random(1)), 1e-12);
    // Each projected gradient no longer conflicts with the other task's gradient.
    assertEquals(0, TaskGradients.dot(new double[] {0.5, 0.5}, g[1]), 1e-12);
    assertEquals(0, TaskGradients.dot(new double[] {0, 1}, g[0]), 1e-12);
  }

  @Test
  void pcgradLeavesGradientsThatAgreeAlone() {
    double[][] g = {{1, 2, 0}, {3, -1, 4}};
    assertArrayEquals(new double[] {4, 1, 4}, TaskGradients.pcgrad(g, new Random(1)), 1e-12);
  }

  @Test
  void pcgradIsTheSameForTheSameSeed() {
    double[][] g = {{1, 0}, {-1, 1}, {0, -1}};
    double[] a = TaskGradients.pcgrad(g, new Random(1));
    double[] b = TaskGradients.pcgrad(g, new Random(1));
    assertArrayEquals(a, b, 0, "the same seed gives the same order");
  }

  @Test
  void mgdaFindsTheMinNormPointOfTwoVectors() {
    // |gamma (2, 0) + (1 - gamma) (0, 1)|^2 = 4 gamma^2 + (1 - gamma)^2, least at gamma = 0.2.
    double[][] g = {{2, 0}, {0, 1}};
    assertArrayEquals(
        new double[] {0.2, 0.8}, TaskGradients.minNormWeights(TaskGradients.gram(g)), 1e-12);
    // Orthogonal unit vectors: the midpoint.
    assertArrayEquals(
        new double[] {0.5, 0.5},
        TaskGradients.minNormWeights(TaskGradients.gram(new double[][] {{1, 0}, {0, 1}})),
        1e-12);
    // One vector inside the other's direction: the shorter one alone.
    assertArrayEquals(
        new double[] {1, 0},
        TaskGradients.minNormWeights(TaskGradients.gram(new double[][] {{1, 0}, {3, 0}})),
        1e-12);
  }

  @Test
  void mgdaWithThreeTasksReachesTheMinNormPoint() {
    // The hull of (1, 0), (0, 1), (1, 1) is closest to the origin at (0.5, 0.5).
    double[][] g = {{1, 0}, {0, 1}, {1, 1}};
    double[] a = TaskGradients.minNormWeights(TaskGradients.gram(g));
    double x = a[0] + a[2];
    double y = a[1] + a[2];
    assertEquals(0.5, x, 1e-12);
    assertEquals(0.5, y, 1e-12);
    assertEquals(1, a[0] + a[1] + a[2], 1e-12);
    // Frank-Wolfe, used beyond eight tasks, comes near it.
    double[] f = TaskGradients.frankWolfe(TaskGradients.gram(g));
    double fx = f[0] + f[2];
    double fy = f[1] + f[2];
    assertEquals(0.5, fx * fx + fy * fy, 5e-3);
  }

  @Test
  void mgdaOfManyRandomGradientsIsNoWorseThanFrankWolfeAndSatisfiesTheOptimalityCondition() {
    Random r = new Random(3);
    for (int trial = 0; trial < 50; trial++) {
      int k = 2 + trial % 6;
      double[][] g = new double[k][4];
      for (double[] row : g) {
        for (int i = 0; i < row.length; i++) {
          row[i] = r.nextGaussian();
        }
      }
      double[][] m = TaskGradients.gram(g);
      double[] a = TaskGradients.minNormWeights(m);
      double[] point = new double[4];
      for (int t = 0; t < k; t++) {
        for (int i = 0; i < 4; i++) {
          point[i] += a[t] * g[t][i];
        }
      }
      double norm = TaskGradients.dot(point, point);
      // Optimality on the simplex: no gradient has a smaller inner product with the point than
      // its squared norm.
      for (int t = 0; t < k; t++) {
        assertTrue(TaskGradients.dot(point, g[t]) >= norm - 1e-9, "trial " + trial);
      }
      double[] f = TaskGradients.frankWolfe(m);
      double[] fp = new double[4];
      for (int t = 0; t < k; t++) {
        for (int i = 0; i < 4; i++) {
          fp[i] += f[t] * g[t][i];
        }
      }
      assertTrue(norm <= TaskGradients.dot(fp, fp) + 1e-12, "trial " + trial);
    }
  }

  @Test
  void gradNormStepMovesWeightTowardsTheTaskThatTrainsSlower() {
    // Equal norms; task 0's loss is still where it started (ratio 1), task 1's halved (0.5):
    // mean ratio 0.75, targets (4/3, 2/3) x mean norm 1; task 0 is below its target, task 1
    // above; each weight moves by 0.1 x norm / weight = 0.1; the sum stays 2.
    double[] next =
        TaskGradients.gradNormStep(
            new double[] {1, 1}, new double[] {1, 1}, new double[] {1.0, 0.5}, 1.0, 0.1);
    assertArrayEquals(new double[] {1.1, 0.9}, next, 1e-12);
  }

  @Test
  void gradNormWeightsSettleWhereTheNormsFollowTheRelativeRates() {
    // Task 1's raw gradient is twice task 0's; with ratios (1, 0.5) and alpha 1 the norms settle
    // in proportion 2 : 1, so w0 x 1 = 2 x w1 x 2: w0 = 4 w1, and with w0 + w1 = 2, (1.6, 0.4).
    double[] raw = {1, 2};
    double[] w = {1, 1};
    for (int step = 0; step < 20_000; step++) {
      double[] norms = {w[0] * raw[0], w[1] * raw[1]};
      w = TaskGradients.gradNormStep(w, norms, new double[] {1.0, 0.5}, 1.0, 0.0005);
    }
    assertArrayEquals(new double[] {1.6, 0.4}, w, 0.01);
    // With alpha 0 the norms are pulled to equal: w0 x 1 = w1 x 2, (4/3, 2/3).
    w = new double[] {1, 1};
    for (int step = 0; step < 20_000; step++) {
      double[] norms = {w[0] * raw[0], w[1] * raw[1]};
      w = TaskGradients.gradNormStep(w, norms, new double[] {1.0, 0.5}, 0.0, 0.0005);
    }
    assertArrayEquals(new double[] {4 / 3.0, 2 / 3.0}, w, 0.01);
  }

  @Test
  void lineSearchIsExactAndClamped() {
    // a = (1, 0), b = (0, 1): gamma 0.5.
    assertEquals(0.5, TaskGradients.lineSearch(1, 0, 1), 1e-12);
    // a = b: any gamma; a is kept.
    assertEquals(1, TaskGradients.lineSearch(1, 1, 1), 1e-12);
    // a shorter and along b: a alone.
    assertEquals(1, TaskGradients.lineSearch(1, 3, 9), 1e-12);
  }
}
