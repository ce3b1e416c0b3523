package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResidentAveragingTrainerTest {
  @Test
  void batchesAreDealtRoundRobinIntoAtMostOneSharePerBatch() {
    assertEquals(
        List.of(List.of("a", "c", "e"), List.of("b", "d")),
        ResidentAveragingTrainer.deal(List.of("a", "b", "c", "d", "e"), 2));
    assertEquals(
        List.of(List.of("a"), List.of("b")), ResidentAveragingTrainer.deal(List.of("a", "b"), 4));
  }

  @Test
  void averagingCountsOnlyWorkersThatFittedABatch() {
    var fitted1 =
        new ResidentAveragingTrainer.WorkerResult(
            new float[] {1, 3}, new float[] {2}, 1.0, 2, false, new double[] {0.5, 1});
    var fitted2 =
        new ResidentAveragingTrainer.WorkerResult(
            new float[] {3, 5}, new float[] {4}, 1.0, 1, false, new double[] {1.5, 3});
    var idle =
        new ResidentAveragingTrainer.WorkerResult(
            new float[] {100, 100}, new float[] {100}, 0, 0, false, new double[] {9, 9});
    ResidentAveragingTrainer.RoundSum sum =
        new ResidentAveragingTrainer.RoundSum().add(fitted1).add(idle).add(fitted2);
    float[][] avg = sum.average(new float[] {0, 0}, new float[] {0});
    assertArrayEquals(new float[] {2, 4}, avg[0]);
    assertArrayEquals(new float[] {3}, avg[1]);
    assertArrayEquals(
        new double[] {1, 2},
        sum.averageBalance(new double[] {0, 0}),
        1e-12,
        "the learned balancing state is averaged like the parameters");
    float[][] none =
        new ResidentAveragingTrainer.RoundSum()
            .add(idle)
            .average(new float[] {7, 8}, new float[] {9});
    assertArrayEquals(new float[] {7, 8}, none[0], "no worker fitted: the state stays");
  }

  @Test
  void aTreeOfPartialSumsGivesThePlainAverageToOneInAMillion() {
    java.util.Random r = new java.util.Random(3);
    int workers = 32;
    List<ResidentAveragingTrainer.WorkerResult> results = new java.util.ArrayList<>();
    float[][] plain = new float[2][];
    plain[0] = new float[1000];
    plain[1] = new float[3000];
    int fitted = 0;
    for (int w = 0; w < workers; w++) {
      float[] p = new float[1000];
      float[] u = new float[3000];
      for (int i = 0; i < p.length; i++) {
        p[i] = (float) (r.nextGaussian() * (1 + i % 7));
      }
      for (int i = 0; i < u.length; i++) {
        u[i] = (float) Math.abs(r.nextGaussian() * 1e-3);
      }
      int batches = w % 5 == 4 ? 0 : 1 + w % 3;
      results.add(
          new ResidentAveragingTrainer.WorkerResult(
              p, u, 0.5 * batches, batches, false, new double[0]));
      if (batches > 0) {
        fitted++;
        for (int i = 0; i < p.length; i++) {
          plain[0][i] += p[i];
        }
        for (int i = 0; i < u.length; i++) {
          plain[1][i] += u[i];
        }
      }
    }
    for (float[] a : plain) {
      for (int i = 0; i < a.length; i++) {
        a[i] /= fitted;
      }
    }
    // Pairs of pairs, as the executors combine them: leaves of one result, then merges upwards.
    List<ResidentAveragingTrainer.RoundSum> level = new java.util.ArrayList<>();
    for (var result : results) {
      level.add(new ResidentAveragingTrainer.RoundSum().add(result));
    }
    while (level.size() > 1) {
      List<ResidentAveragingTrainer.RoundSum> next = new java.util.ArrayList<>();
      for (int i = 0; i < level.size(); i += 2) {
        next.add(i + 1 < level.size() ? level.get(i).merge(level.get(i + 1)) : level.get(i));
      }
      level = next;
    }
    ResidentAveragingTrainer.RoundSum tree = level.get(0);
    float[][] averaged = tree.average(new float[1000], new float[3000]);
    for (int a = 0; a < 2; a++) {
      for (int i = 0; i < plain[a].length; i++) {
        assertEquals(plain[a][i], averaged[a][i], 1e-6 * Math.max(1, Math.abs(plain[a][i])));
      }
    }
    assertEquals(fitted, tree.fitted);
    assertEquals(
        results.stream().mapToInt(ResidentAveragingTrainer.WorkerResult::batches).sum(),
        tree.batches);
  }

  @Test
  void theTreeMergesAtMostEightSumsPerTask() {
    // 55 results at depth 2: scale ceil(sqrt(55)) = 8, 55 / 8 = 6 partial sums, one of which takes
    // results 0, 6, ..., 54: ten. Depth 3: scale 4, 13 sums of at most 5, then 3 of at most 5.
    assertEquals(10, ResidentAveragingTrainer.largestMerge(55, 2));
    assertEquals(5, ResidentAveragingTrainer.largestMerge(55, 3));
    assertEquals(3, ResidentAveragingTrainer.treeDepth(55));
    // 32: scale 6, 5 sums of at most 7, then the last merges 5. 64: 8 sums of 8, then 8.
    assertEquals(7, ResidentAveragingTrainer.largestMerge(32, 2));
    assertEquals(2, ResidentAveragingTrainer.treeDepth(32));
    assertEquals(8, ResidentAveragingTrainer.largestMerge(64, 2));
    assertEquals(2, ResidentAveragingTrainer.treeDepth(64));
    assertEquals(2, ResidentAveragingTrainer.treeDepth(1));
    assertEquals(2, ResidentAveragingTrainer.treeDepth(2));
    for (int workers = 1; workers <= 5000; workers++) {
      int depth = ResidentAveragingTrainer.treeDepth(workers);
      assertTrue(
          ResidentAveragingTrainer.largestMerge(workers, depth) <= ResidentAveragingTrainer.FAN_IN,
          workers + " workers, depth " + depth);
    }
  }
}
