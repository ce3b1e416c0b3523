package org.mtlspark.operate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;

class WarmStartTest {
  @Test
  void warmStartNeedsTheSameDataPrepModelAndTasks() {
    MtlConfig a = ConfigLoader.load(List.of(), List.of());
    assertTrue(
        RetrainJob.differences(a, ConfigLoader.load(List.of(), List.of("train.epochs=9")))
            .isEmpty(),
        "training settings may change");
    assertEquals(
        List.of("prep", "model"),
        RetrainJob.differences(
            a, ConfigLoader.load(List.of(), List.of("model.trunk=[8]", "prep.batchSize=16"))));
  }
}
