package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;

/**
 * Workers whose share of the batches is larger than their batch memory read the batches from the
 * files every round, and train exactly as workers that hold them; each worker sets the native
 * threads it is given.
 */
class BatchStreamingIT {
  @TempDir static Path dir;

  @Test
  void streamingWorkersGiveTheSameParametersAsResidentOnes() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    FeaturizerState state = TestBatches.state();
    List<String> paths = pack(state, 14);
    Configuration conf = new Configuration();
    long share = ResidentAveragingTrainer.bytes(BatchFiles.read(conf, paths.get(0))) * 7;
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    ComputationGraph initial = GraphBuilder.build(state, config.model(), config.train(), 5);

    // 2 workers, 7 batches each, averaging every 3 (rounds of 3, 3 and 1 batches), 2 epochs, Adam.
    ResidentAveragingTrainer holding =
        new ResidentAveragingTrainer(jsc, 2, 3, 2, 9).withWorkerResources(1, Long.MAX_VALUE);
    ComputationGraph held = holding.fit(initial.clone(), paths, null);
    ResidentAveragingTrainer reading =
        new ResidentAveragingTrainer(jsc, 2, 3, 2, 9).withWorkerResources(1, share / 2);
    ComputationGraph read = reading.fit(initial.clone(), paths, null);

    assertEquals(0, holding.streamingWorkers(), "a share within the budget is held");
    assertEquals(2, reading.streamingWorkers(), "a share over the budget is read every round");
    assertTrue(
        held.params().sub(initial.params()).norm2Number().doubleValue() > 1e-3, "training moved");
    assertEquals(
        0.0,
        held.params().sub(read.params()).amaxNumber().doubleValue(),
        1e-6,
        "the same batches in the same order give the same parameters");
    assertEquals(
        0.0,
        held.getUpdater()
            .getStateViewArray()
            .sub(read.getUpdater().getStateViewArray())
            .amaxNumber()
            .doubleValue(),
        1e-6,
        "and the same Adam state");
  }

  @Test
  void eachWorkerSetsTheNativeThreadsItIsGiven() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    FeaturizerState state = TestBatches.state();
    List<String> paths = pack(state, 4);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    ComputationGraph initial = GraphBuilder.build(state, config.model(), config.train(), 5);
    int before = NativeThreads.blasThreads();
    try {
      NativeThreads.limit(1);
      // Local mode: the workers run in this process, so OpenBLAS's process-wide count shows what
      // they set.
      new ResidentAveragingTrainer(jsc, 2, 2, 1, 9)
          .withWorkerResources(3, -1)
          .fit(initial.clone(), paths, null);
      assertEquals(3, NativeThreads.blasThreads());
    } finally {
      NativeThreads.limit(before);
    }
  }

  static List<String> pack(FeaturizerState state, int batches) throws IOException {
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path path =
        new org.apache.hadoop.fs.Path(
            dir.resolve("batches-" + batches + BatchPack.EXTENSION).toUri());
    try (BatchPack pack = new BatchPack(path.getFileSystem(conf), path)) {
      for (int b = 0; b < batches; b++) {
        pack.add(BatchBuilder.arrays(TestBatches.examples(state, 8, 100 + b, true)));
      }
    }
    return new ArrayList<>(BatchFiles.references(conf, path.toString()));
  }
}
