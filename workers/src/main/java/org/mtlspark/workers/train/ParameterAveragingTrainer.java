package org.mtlspark.workers.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.RepartitionStrategy;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.SerializableConf;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a ComputationGraph with dl4j-spark's parameter averaging over stored MultiDataSet files:
 * each worker fits {@code averagingFrequency} batches from the current parameters, then the driver
 * averages parameters and updater state (saveUpdater is always on, or Adam restarts every round).
 * The batch files are visited in a new seeded order every epoch.
 */
public final class ParameterAveragingTrainer implements GraphTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

  private final JavaSparkContext jsc;
  private final TrainConfig config;
  private final int workers;
  private final int batchSize;
  private final long seed;
  private final ModalityDropout dropout;

  public ParameterAveragingTrainer(
      JavaSparkContext jsc, TrainConfig config, int batchSize, long seed, ModalityDropout dropout) {
    this.jsc = jsc;
    this.config = config;
    this.workers = TrainingWorkers.resolve(jsc, config);
    this.batchSize = batchSize;
    this.seed = seed;
    this.dropout = dropout;
  }

  /** The training master: one batch file is one dataset of exactly {@code batchSize} examples. */
  ParameterAveragingTrainingMaster trainingMaster() {
    return new ParameterAveragingTrainingMaster.Builder(workers, batchSize)
        .batchSizePerWorker(batchSize)
        .averagingFrequency(config.averagingFrequency())
        // No asynchronous prefetch: dl4j-spark's prefetching iterator turns the absent (null)
        // feature masks of the non-text inputs into rank-1 arrays, which the CNN layers refuse.
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .repartionData(Repartition.Always)
        .repartitionStrategy(RepartitionStrategy.Balanced)
        .rngSeed(seed)
        .build();
  }

  @Override
  public ComputationGraph fit(
      ComputationGraph graph, List<String> batchPaths, int startEpoch, EpochListener listener) {
    if (batchPaths.isEmpty()) {
      throw new IllegalArgumentException("no training batches to fit");
    }
    SparkComputationGraph spark = new SparkComputationGraph(jsc, graph, trainingMaster());
    SerializableConf hadoop = new SerializableConf(jsc.hadoopConfiguration());
    long started = System.nanoTime();
    long examples = (long) batchPaths.size() * batchSize;
    for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
      long epochStart = System.nanoTime();
      List<String> order = new ArrayList<>(batchPaths);
      Collections.shuffle(order, new Random(seed * 31 + epoch));
      JavaRDD<String> paths = jsc.parallelize(order, Math.max(workers, 1));
      JobLabels.describe(jsc, "train", "epoch " + (epoch + 1) + " (dl4j parameter averaging)");
      spark.fitPaths(paths, new BatchLoader(hadoop, dropout, epoch));
      double score = spark.getScore();
      TrainingDivergedException.check(score, epoch, "end of epoch");
      double seconds = (System.nanoTime() - epochStart) / 1e9;
      double total = (System.nanoTime() - started) / 1e9;
      double left = total / (epoch + 1 - startEpoch) * (config.epochs() - epoch - 1);
      LOG.info(
          String.format(
              "epoch %d/%d: %d batches, %.0f examples/s, score %.4f, elapsed %.0fs, about %.0fs left",
              epoch + 1,
              config.epochs(),
              batchPaths.size(),
              examples / seconds,
              score,
              total,
              left));
      if (!GraphTrainer.afterEpoch(listener, epoch, spark.getNetwork(), score)) {
        break;
      }
    }
    return spark.getNetwork();
  }
}
