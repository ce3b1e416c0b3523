package org.mtlspark.bench.train;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.workers.eval.TaskAccumulator;
import org.mtlspark.workers.eval.TaskEvaluator;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.BatchLoader;
import org.mtlspark.workers.train.ResidentAveragingTrainer;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one workload four ways in one process and measures examples per second and final
 * per-task quality: (a) one plain {@code ComputationGraph.fit} loop, no Spark (the baseline);
 * (b) dl4j-spark's ParameterAveragingTrainingMaster on Spark; (c) our resident averaging on Spark;
 * (d) the machine's parallel ceiling: N plain loops on disjoint shares in N threads, no Spark, no
 * communication.
 */
public final class TrainingBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingBenchmark.class);

  /** One training run of one phase: its seed, time, rate and holdout metrics. */
  public record Run(
      long seed, double seconds, double examplesPerSecond, Map<String, Double> metrics) {}

  /**
   * One phase over all repeats: the mean rate, and the mean and sample standard deviation of each
   * metric (zero with one repeat), with every run kept.
   */
  public record Phase(
      String id,
      String description,
      double seconds,
      double examplesPerSecond,
      Map<String, Double> metrics,
      Map<String, Double> metricsSd,
      List<Run> runs) {

    static Phase of(String id, String description, List<Run> runs) {
      Map<String, Double> mean = new LinkedHashMap<>();
      Map<String, Double> sd = new LinkedHashMap<>();
      for (String k : runs.get(0).metrics().keySet()) {
        double[] v = runs.stream().mapToDouble(r -> r.metrics().get(k)).toArray();
        mean.put(k, mean(v));
        sd.put(k, sd(v));
      }
      return new Phase(
          id,
          description,
          mean(runs.stream().mapToDouble(Run::seconds).toArray()),
          mean(runs.stream().mapToDouble(Run::examplesPerSecond).toArray()),
          mean,
          sd,
          List.copyOf(runs));
    }

    private static double mean(double[] v) {
      double s = 0;
      for (double x : v) {
        s += x;
      }
      return s / v.length;
    }

    private static double sd(double[] v) {
      if (v.length < 2) {
        return 0;
      }
      double m = mean(v);
      double s = 0;
      for (double x : v) {
        s += (x - m) * (x - m);
      }
      return Math.sqrt(s / (v.length - 1));
    }
  }

  private final JavaSparkContext jsc;
  private final int workers;
  private final int epochs;
  private final int averagingFrequency;
  private final long seed;
  private final int repeats;

  /**
   * @param repeats how many times each phase runs, with training seeds {@code seed}, {@code seed + 1},
   *     ...: every phase of a repeat starts from the same initial parameters, and the phases are
   *     interleaved (a, b, c, d, a, b, ...) so that a slow spell of the machine hits all of them
   */
  public TrainingBenchmark(
      JavaSparkContext jsc,
      int workers,
      int epochs,
      int averagingFrequency,
      long seed,
      int repeats) {
    if (repeats < 1) {
      throw new IllegalArgumentException("repeats must be at least 1, was " + repeats);
    }
    this.jsc = jsc;
    this.workers = workers;
    this.epochs = epochs;
    this.averagingFrequency = averagingFrequency;
    this.seed = seed;
    this.repeats = repeats;
  }

  public List<Phase> run(Workload w, List<String> phases) throws IOException {
    for (String id : phases) {
      if (!List.of("a", "b", "c", "d").contains(id)) {
        throw new IllegalArgumentException("unknown phase " + id + " (a, b, c, d)");
      }
    }
    warmUp(w);
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    for (int r = 0; r < repeats; r++) {
      long s = seed + r;
      for (String id : phases) {
        LOG.info("workload {}: phase {}, repeat {}/{} (seed {})", w.name(), id, r + 1, repeats, s);
        descriptions.put(id, description(id));
        runs.computeIfAbsent(id, k -> new ArrayList<>()).add(timed(w, id, s, training(id, w, s)));
      }
    }
    List<Phase> out = new ArrayList<>();
    runs.forEach((id, list) -> out.add(Phase.of(id, descriptions.get(id), list)));
    return out;
  }

  private String description(String id) {
    return switch (id) {
      case "a" -> "one plain fit loop, no Spark";
      case "b" ->
          "dl4j-spark ParameterAveragingTrainingMaster, its defaults, " + workers + " workers";
      case "c" -> "resident parameter averaging (ours), " + workers + " workers";
      default -> workers + " plain loops, disjoint shares, " + workers + " threads (ceiling)";
    };
  }

  private Training training(String id, Workload w, long s) {
    return switch (id) {
      case "a" -> g -> plainLoop(g, load(w.trainFiles()), s);
      case "b" -> g -> stockDl4jSpark(g, w, s);
      case "c" ->
          g ->
              new ResidentAveragingTrainer(jsc, workers, averagingFrequency, epochs, s)
                  .fit(g, w.trainFiles(), null);
      default -> g -> parallelLoops(g, w, s);
    };
  }

  private interface Training {
    ComputationGraph train(ComputationGraph g) throws IOException;
  }

  private Run timed(Workload w, String id, long s, Training training) throws IOException {
    ComputationGraph g = w.network().create(s);
    long start = System.nanoTime();
    ComputationGraph trained = training.train(g);
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = w.trainExamples() * (double) epochs / seconds;
    Map<String, Double> metrics = quality(trained, w);
    LOG.info(
        String.format(
            "workload %s, phase %s, seed %d: %.1fs, %.0f examples/s, %s",
            w.name(), id, s, seconds, rate, metrics));
    return new Run(s, seconds, rate, metrics);
  }

  private ComputationGraph plainLoop(
      ComputationGraph g, List<MultiDataSet> batches, long loopSeed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      order.add(i);
    }
    for (int e = 0; e < epochs; e++) {
      Collections.shuffle(order, new Random(loopSeed * 31 + e));
      for (int i : order) {
        g.fit(batches.get(i));
      }
    }
    return g;
  }

  /**
   * dl4j-spark as it comes: the training master's defaults (averaging every 5 batches, no updater
   * averaging) at the same batch size; only prefetch is off, because its prefetching iterator
   * breaks absent feature masks.
   */
  private ComputationGraph stockDl4jSpark(ComputationGraph g, Workload w, long s) {
    ParameterAveragingTrainingMaster tm =
        new ParameterAveragingTrainingMaster.Builder(workers, w.batchSize())
            .batchSizePerWorker(w.batchSize())
            .workerPrefetchNumBatches(0)
            .rngSeed(s)
            .build();
    SparkComputationGraph spark = new SparkComputationGraph(jsc, g, tm);
    JavaRDD<String> paths = jsc.parallelize(w.trainFiles(), workers);
    BatchLoader loader = new BatchLoader(new SerializableConf(jsc.hadoopConfiguration()));
    for (int e = 0; e < epochs; e++) {
      spark.fitPaths(paths, loader);
    }
    return spark.getNetwork();
  }

  /** N loops at once on disjoint shares; returns the first loop's network for the quality figures. */
  private ComputationGraph parallelLoops(ComputationGraph g, Workload w, long s)
      throws IOException {
    List<List<String>> files = ResidentAveragingTrainer.deal(w.trainFiles(), workers);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<ComputationGraph>> futures = new ArrayList<>();
      for (int i = 0; i < files.size(); i++) {
        ComputationGraph copy = i == 0 ? g : g.clone();
        List<String> share = files.get(i);
        long loopSeed = s + 7919L * i;
        futures.add(pool.submit(() -> plainLoop(copy, loadUnchecked(share), loopSeed)));
      }
      ComputationGraph first = null;
      for (Future<ComputationGraph> f : futures) {
        ComputationGraph r = f.get();
        first = first == null ? r : first;
      }
      return first;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the parallel loops ran");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every phase starts from the same batch files: reading them is inside each timing. */
  private List<MultiDataSet> load(List<String> files) throws IOException {
    return List.copyOf(BatchFiles.readAll(jsc.hadoopConfiguration(), files));
  }

  private List<MultiDataSet> loadUnchecked(List<String> files) {
    try {
      return load(files);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Fits a throw-away network on up to 200 batches so that no phase pays for the JIT alone. */
  private void warmUp(Workload w) throws IOException {
    ComputationGraph g = w.network().create(seed);
    for (var batch : load(w.trainFiles().subList(0, Math.min(200, w.trainFiles().size())))) {
      g.fit(batch);
    }
  }

  static Map<String, Double> quality(ComputationGraph g, Workload w) {
    List<TaskAccumulator> acc = w.tasks().stream().map(TaskAccumulator::new).toList();
    for (var batch : w.holdout()) {
      TaskEvaluator.score(g, toDataSet(batch), acc);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (TaskAccumulator a : acc) {
      TaskMetrics m = TaskMetrics.of(a);
      out.put(m.task() + "." + m.primaryMetric(), m.metrics().get(m.primaryMetric()));
      if (m.metrics().containsKey("accuracy") && !m.primaryMetric().equals("accuracy")) {
        out.put(m.task() + ".accuracy", m.metrics().get("accuracy"));
      }
    }
    return out;
  }

  private static org.nd4j.linalg.dataset.MultiDataSet toDataSet(MultiDataSet m) {
    return m instanceof org.nd4j.linalg.dataset.MultiDataSet d
        ? d
        : new org.nd4j.linalg.dataset.MultiDataSet(
            m.getFeatures(), m.getLabels(), m.getFeaturesMaskArrays(), m.getLabelsMaskArrays());
  }
}
