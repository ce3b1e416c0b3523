package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
        new ResidentAveragingTrainer.WorkerResult(new float[] {1, 3}, new float[] {2}, 1.0, 2);
    var fitted2 =
        new ResidentAveragingTrainer.WorkerResult(new float[] {3, 5}, new float[] {4}, 1.0, 1);
    var idle =
        new ResidentAveragingTrainer.WorkerResult(new float[] {100, 100}, new float[] {100}, 0, 0);
    float[][] avg =
        ResidentAveragingTrainer.average(
            List.of(fitted1, idle, fitted2), new float[] {0, 0}, new float[] {0});
    assertArrayEquals(new float[] {2, 4}, avg[0]);
    assertArrayEquals(new float[] {3}, avg[1]);
    float[][] none =
        ResidentAveragingTrainer.average(List.of(idle), new float[] {7, 8}, new float[] {9});
    assertArrayEquals(new float[] {7, 8}, none[0], "no worker fitted: the state stays");
  }
}
