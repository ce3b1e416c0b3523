package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** train.workers auto from what the application has, without Spark. */
class TrainingWorkersTest {
  private static int auto(
      String master, int executors, OptionalInt executorCores, OptionalInt registered) {
    return TrainingWorkers.auto(
        new TrainingWorkers.Available(master, executors, executorCores, registered, 16, 1));
  }

  @Test
  void localMastersGiveTheirThreads() {
    assertEquals(2, auto("local[2]", 0, OptionalInt.empty(), OptionalInt.empty()));
    assertEquals(7, auto("local[7,3]", 0, OptionalInt.empty(), OptionalInt.empty()));
    assertEquals(16, auto("local[*]", 0, OptionalInt.empty(), OptionalInt.empty()));
    assertEquals(1, auto("local", 0, OptionalInt.empty(), OptionalInt.empty()));
    assertEquals(6, auto("local-cluster[3, 2, 1024]", 0, OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void aClusterGivesExecutorsTimesTheirCores() {
    assertEquals(12, auto("yarn", 4, OptionalInt.of(3), OptionalInt.of(200)));
    assertEquals(4, auto("spark://h:7077", 4, OptionalInt.of(1), OptionalInt.empty()));
  }

  @Test
  void withoutExecutorCoresTheRegisteredCoresCountThenOnePerExecutor() {
    assertEquals(10, auto("spark://h:7077", 2, OptionalInt.empty(), OptionalInt.of(10)));
    assertEquals(3, auto("k8s://https://api:6443", 3, OptionalInt.empty(), OptionalInt.empty()));
  }

  @Test
  void tasksOfSeveralCoresGiveOneWorkerPerTaskSlot() {
    assertEquals(
        6,
        TrainingWorkers.auto(
            new TrainingWorkers.Available(
                "yarn", 4, OptionalInt.of(3), OptionalInt.empty(), 16, 2)));
    assertEquals(
        4,
        TrainingWorkers.auto(
            new TrainingWorkers.Available(
                "local[8]", 0, OptionalInt.empty(), OptionalInt.empty(), 16, 2)));
    assertEquals(
        1,
        TrainingWorkers.auto(
            new TrainingWorkers.Available(
                "spark://h:7077", 1, OptionalInt.of(2), OptionalInt.empty(), 16, 4)));
  }

  @Test
  void neverFewerThanOne() {
    assertEquals(1, auto("yarn", 0, OptionalInt.of(4), OptionalInt.empty()));
    assertEquals(1, auto("local[0]", 0, OptionalInt.empty(), OptionalInt.empty()));
  }
}
