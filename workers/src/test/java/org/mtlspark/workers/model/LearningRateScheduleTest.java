package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.testing.TrainConfigs;
import org.mtlspark.workers.TestBatches;

class LearningRateScheduleTest {
  private static TrainConfig train(TrainConfig.Schedule schedule) {
    return TrainConfigs.defaults().epochs(4).learningRate(0.01).schedule(schedule).build();
  }

  @Test
  void cosineFallsFromTheRateToItsFloorOverAllEpochs() {
    var s =
        LearningRateSchedule.of(
            train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.COSINE, 0, 1, 1, 0.1)), 10);
    assertEquals(0.01, s.valueAt(0, 0), 1e-12);
    assertEquals(0.001 + 0.009 * 0.5, s.valueAt(20, 2), 1e-12, "half way");
    assertEquals(0.001, s.valueAt(40, 4), 1e-12, "the end of the last epoch");
    assertEquals(0.001, s.valueAt(55, 5), 1e-12, "stays at the floor");
  }

  @Test
  void stepMultipliesEveryStepEpochs() {
    var s =
        LearningRateSchedule.of(
            train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.STEP, 0, 2, 0.5, 0)), 10);
    assertEquals(0.01, s.valueAt(19, 1), 1e-12);
    assertEquals(0.005, s.valueAt(20, 2), 1e-12);
    assertEquals(0.0025, s.valueAt(40, 4), 1e-12);
  }

  @Test
  void warmUpRisesLinearlyToTheSchedule() {
    var s =
        LearningRateSchedule.of(
            train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.CONSTANT, 0.5, 1, 1, 0)), 10);
    // Half an epoch of 10 steps: 5 warm-up steps.
    assertEquals(0.01 / 6, s.valueAt(0, 0), 1e-12);
    assertEquals(0.01 * 5 / 6, s.valueAt(4, 0), 1e-12);
    assertEquals(0.01, s.valueAt(5, 0), 1e-12);
    assertTrue(
        LearningRateSchedule.varies(
            train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.CONSTANT, 0.5, 1, 1, 0))));
    assertFalse(LearningRateSchedule.varies(train(TrainConfig.Schedule.CONSTANT)));
  }

  @Test
  void theScheduleTravelsWithTheSavedConfiguration() {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    TrainConfig cosine =
        train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.COSINE, 1, 1, 1, 0.01));
    ComputationGraph g = GraphBuilder.build(TestBatches.state(), config.model(), cosine, 1, 7);
    ComputationGraphConfiguration back =
        ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
    ComputationGraph restored = new ComputationGraph(back);
    restored.init();
    BaseLayer layer =
        Arrays.stream(restored.getLayers())
            .map(l -> l.conf().getLayer())
            .filter(BaseLayer.class::isInstance)
            .map(BaseLayer.class::cast)
            .findFirst()
            .orElseThrow();
    var expected = LearningRateSchedule.of(cosine, 7);
    for (int step : new int[] {0, 3, 7, 15, 27}) {
      assertEquals(expected.valueAt(step, 0), layer.getIUpdater().getLearningRate(step, 0), 1e-12);
    }
  }

  @Test
  void aScheduleWithoutStepsPerEpochIsRefused() {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    TrainConfig cosine =
        train(new TrainConfig.Schedule(TrainConfig.ScheduleKind.COSINE, 0, 1, 1, 0.01));
    assertThrows(
        IllegalArgumentException.class,
        () -> GraphBuilder.build(TestBatches.state(), config.model(), cosine, 1));
  }
}
