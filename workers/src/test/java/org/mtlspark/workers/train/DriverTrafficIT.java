package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.testing.TrainConfigs;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;

/**
 * What the driver receives and allocates per averaging round does not grow with the workers: with
 * eight workers the executors hand it one sum, less than the two results two workers send.
 */
class DriverTrafficIT {
  @TempDir static Path dir;

  static final FeaturizerState STATE = TestBatches.state();

  @Test
  void eightWorkersSendTheDriverOneSumARound() throws Exception {
    List<String> paths = pack(16);
    Measured two = train(paths, 2);
    Measured eight = train(paths, 8);
    assertEquals(8, two.rounds);
    assertEquals(2, eight.rounds);
    long state = 4L * (two.params + two.updater);
    assertTrue(
        two.bytesPerRound() > 1.8 * state,
        "two workers: two results a round, " + two.bytesPerRound() + " bytes, state " + state);
    assertTrue(
        eight.bytesPerRound() < 1.3 * state,
        "eight workers: one sum a round, " + eight.bytesPerRound() + " bytes, state " + state);
  }

  /**
   * With a trunk of about half a million parameters, so that a state (6 MB with Adam's) outweighs
   * what scheduling a task costs the driver. A round's allocation is the difference between a
   * long and a short training over the rounds between them, so that what a training allocates
   * once (its setup, its first use of a code path) is not counted. Had the driver received one
   * result per worker, eight workers would make it deserialize six more states a round than two.
   */
  @Test
  void eightWorkersDoNotGrowWhatTheDriverAllocatesARound() throws Exception {
    List<String> paths = pack(16);
    List<String> big = List.of("model.trunk=[700, 700]");
    train(paths.subList(0, 8), 8, big);
    Measured twoShort = train(paths.subList(0, 4), 2, big);
    Measured two = train(paths, 2, big);
    Measured eightShort = train(paths.subList(0, 8), 8, big);
    Measured eight = train(paths, 8, big);
    long state = 4L * (two.params + two.updater);
    assertTrue(state > 5_000_000, "state " + state);
    double perRoundTwo =
        (two.allocated - twoShort.allocated) / (double) (two.rounds - twoShort.rounds);
    double perRoundEight =
        (eight.allocated - eightShort.allocated) / (double) (eight.rounds - eightShort.rounds);
    assertTrue(
        perRoundTwo > 2 * state,
        "two workers: the driver deserializes two results a round, allocated "
            + perRoundTwo
            + " bytes, state "
            + state);
    assertTrue(
        perRoundEight < perRoundTwo + 2 * state,
        "eight workers allocate about what two do a round: "
            + perRoundEight
            + " against "
            + perRoundTwo
            + ", state "
            + state);
  }

  record Measured(long bytes, long allocated, long rounds, long params, long updater) {
    double bytesPerRound() {
      return bytes / (double) rounds;
    }
  }

  static Measured train(List<String> paths, int workers) throws Exception {
    return train(paths, workers, List.of());
  }

  /** One epoch of one batch per worker per round, Adam (so the updater state travels too). */
  static Measured train(List<String> paths, int workers, List<String> model) throws Exception {
    MtlConfig config = ConfigLoader.load(List.of(), model);
    TrainConfig train =
        TrainConfigs.defaults()
            .engine(TrainConfig.Engine.RESIDENT)
            .epochs(1)
            .updater(TrainConfig.Updater.ADAM)
            .workers(workers)
            .averagingFrequency(1)
            .build();
    ComputationGraph graph = GraphBuilder.build(STATE, config.model(), train, 3);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(SharedSpark.get().sparkContext());
    long rounds = (paths.size() / workers);
    try (DriverTraffic traffic = DriverTraffic.listen(jsc.sc())) {
      traffic.drain();
      long before = traffic.bytes();
      DriverAllocation allocation = DriverAllocation.start();
      ComputationGraph trained = TrainJob.trainer(jsc, train, 8, 3).fit(graph, paths, null);
      traffic.drain();
      return new Measured(
          traffic.bytes() - before,
          allocation.bytes(),
          rounds,
          trained.numParams(),
          trained.getUpdater().getStateViewArray().length());
    }
  }

  static List<String> pack(int batches) throws IOException {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    org.apache.hadoop.fs.Path path =
        new org.apache.hadoop.fs.Path(dir.resolve("batches" + BatchPack.EXTENSION).toUri());
    try (BatchPack pack = new BatchPack(path.getFileSystem(conf), path)) {
      for (int b = 0; b < batches; b++) {
        pack.add(BatchBuilder.arrays(TestBatches.examples(STATE, 8, 100 + b, true)));
      }
    }
    return new ArrayList<>(BatchFiles.references(conf, path.toString()));
  }
}
