package org.mtlspark.workers.train;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.workers.model.TaskLossWeights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parameter averaging on Spark executors that keeps each worker's share of the batches and its
 * network resident on the executor between rounds, so that a round moves only the parameters and
 * the updater state (not the data, and not a rebuilt network).
 *
 * <p>The batch files are dealt round-robin into {@code workers} shares. Each round is one Spark job
 * of one task per share: the task takes the broadcast parameters and updater state, fits the next
 * {@code averagingFrequency} batches of its share (in a seeded order that changes every epoch), and
 * returns its parameters, updater state and mean score. The executors sum them in a tree ({@link
 * RoundSum}: Spark's tree aggregation, up to {@link #FAN_IN} partial sums merged per task level by
 * level, the last sum made on an executor too), so that the driver receives one sum a round
 * whatever the number of workers (with one or two workers, their results: another stage would
 * cost more than it saves), and
 * averages over the workers that fitted a batch. The executor-side cache is only a cache: a task
 * that finds no entry (a new or restarted executor) reloads its share from the files and starts
 * from the broadcast state, so retries and lost executors give the same arithmetic. With {@link
 * Residency#RELOAD_EVERY_ROUND} nothing is kept: every round is what a new executor would do.
 *
 * <p>A worker whose share of the batches would take more memory than its batch memory (by default
 * a quarter of the executor's off-heap limit over its task slots) keeps only its network and reads
 * its batches from the files every round, one batch ahead of the one it fits: the same batches in
 * the same order, so the same arithmetic. Each worker limits its native threads itself ({@link
 * NativeThreads}) before it fits.
 */
public final class ResidentAveragingTrainer implements GraphTrainer {
  private static final Logger LOG = LoggerFactory.getLogger(ResidentAveragingTrainer.class);

  private final JavaSparkContext jsc;
  private final int workers;
  private final int averagingFrequency;
  private final int epochs;
  private final long seed;
  private final ModalityDropout dropout;
  private final Residency residency;
  private final int nativeThreads;
  private final long batchMemory;
  private final Balancing balancing;
  private volatile int streamingWorkers;

  /**
   * A per-step task balancing method ({@link StepBalancer}) with GradNorm's asymmetry and the
   * learning rate of the learned weights.
   */
  public record Balancing(TrainConfig.Weighting method, double alpha, double rate)
      implements Serializable {}

  /** Whether executors keep each worker's network and batches between rounds. */
  public enum Residency {
    /** Keep them: a round moves only parameters and updater state (the default). */
    KEEP_BETWEEN_ROUNDS,
    /** Keep nothing: every round reads the worker's batches and builds its network again. */
    RELOAD_EVERY_ROUND
  }

  public ResidentAveragingTrainer(
      JavaSparkContext jsc, int workers, int averagingFrequency, int epochs, long seed) {
    this(jsc, workers, averagingFrequency, epochs, seed, ModalityDropout.none(null));
  }

  public ResidentAveragingTrainer(
      JavaSparkContext jsc,
      int workers,
      int averagingFrequency,
      int epochs,
      long seed,
      ModalityDropout dropout) {
    this(jsc, workers, averagingFrequency, epochs, seed, dropout, Residency.KEEP_BETWEEN_ROUNDS);
  }

  public ResidentAveragingTrainer(
      JavaSparkContext jsc,
      int workers,
      int averagingFrequency,
      int epochs,
      long seed,
      ModalityDropout dropout,
      Residency residency) {
    this(jsc, workers, averagingFrequency, epochs, seed, dropout, residency, 0, -1, null);
  }

  private ResidentAveragingTrainer(
      JavaSparkContext jsc,
      int workers,
      int averagingFrequency,
      int epochs,
      long seed,
      ModalityDropout dropout,
      Residency residency,
      int nativeThreads,
      long batchMemory,
      Balancing balancing) {
    this.jsc = jsc;
    this.workers = workers;
    this.averagingFrequency = averagingFrequency;
    this.epochs = epochs;
    this.seed = seed;
    this.dropout = dropout;
    this.residency = residency;
    this.nativeThreads = nativeThreads;
    this.batchMemory = batchMemory;
    this.balancing = balancing;
  }

  /**
   * This trainer with each worker's resources: {@code nativeThreads} (0: the task's {@code
   * spark.task.cpus}) and {@code batchMemoryBytes}, the most its share of the batches may take in
   * memory before it is read from the files every round instead (-1: decided on each executor, see
   * {@link #batchMemory(long)}; 0: always read).
   */
  public ResidentAveragingTrainer withWorkerResources(int nativeThreads, long batchMemoryBytes) {
    return new ResidentAveragingTrainer(
        jsc,
        workers,
        averagingFrequency,
        epochs,
        seed,
        dropout,
        residency,
        nativeThreads,
        batchMemoryBytes,
        balancing);
  }

  /**
   * This trainer with task balancing at every step of every worker; for a method that is not
   * per-step ({@link TrainConfig.Weighting#perStep()}), none.
   */
  public ResidentAveragingTrainer withBalancing(
      TrainConfig.Weighting method, double alpha, double rate) {
    return new ResidentAveragingTrainer(
        jsc,
        workers,
        averagingFrequency,
        epochs,
        seed,
        dropout,
        residency,
        nativeThreads,
        batchMemory,
        method.perStep() ? new Balancing(method, alpha, rate) : null);
  }

  /** The frozen spans of the last epoch, to log a change once. */
  private FrozenSpans lastFrozen = FrozenSpans.NONE;

  /** How many workers read their batches from the files in the last round (0 before any). */
  public int streamingWorkers() {
    return streamingWorkers;
  }

  /** What the driver sends each round: the averaged state and where the workers are. */
  record RoundState(
      float[] params,
      float[] updater,
      int iteration,
      int epoch,
      int round,
      double[] taskWeights,
      double[] balance)
      implements Serializable {}

  /**
   * What a worker returns from a round; {@code streamed}: it read its batches from the files;
   * {@code balance}: its learned balancing state (empty without one).
   */
  record WorkerResult(
      float[] params,
      float[] updater,
      double scoreSum,
      int batches,
      boolean streamed,
      double[] balance)
      implements Serializable {}

  @Override
  public ComputationGraph fit(
      ComputationGraph graph, List<String> batchPaths, int startEpoch, EpochListener listener) {
    if (batchPaths.isEmpty()) {
      throw new IllegalArgumentException("no training batches to fit");
    }
    List<List<String>> shares = deal(batchPaths, workers);
    int maxShare = shares.stream().mapToInt(List::size).max().orElse(0);
    int roundsPerEpoch = (maxShare + averagingFrequency - 1) / averagingFrequency;
    String trainingId = UUID.randomUUID().toString();
    Broadcast<String> conf = jsc.broadcast(graph.getConfiguration().toJson());
    Broadcast<List<List<String>>> paths = jsc.broadcast(shares);
    // Broadcast once: in each round's closure it would be serialized (a gzip stream per property)
    // on the driver and read back in every task, every round.
    Broadcast<SerializableConf> hadoop =
        jsc.broadcast(new SerializableConf(jsc.hadoopConfiguration()));
    int shareCount = shares.size();
    int depth = treeDepth(shareCount);
    int k = averagingFrequency;
    long trainingSeed = seed;
    ModalityDropout drop = dropout;
    Residency keep = residency;
    int threads = nativeThreads;
    long memory = batchMemory;
    Balancing balance = balancing;
    int tasks = graph.getConfiguration().getNetworkOutputs().size();
    double[] balanceState =
        balancing == null ? new double[0] : StepBalancer.initialState(balancing.method(), tasks);
    if (resumedBalance != null && resumedBalance.length == balanceState.length) {
      balanceState = resumedBalance.clone();
    } else if (resumedBalance != null && resumedBalance.length > 0) {
      LOG.warn(
          "the checkpoint's balancing state has {} values, this training {}: starting it afresh",
          resumedBalance.length,
          balanceState.length);
    }

    float[] params = graph.params().toFloatVector();
    float[] updater = vector(updaterState(graph));
    int iteration = graph.getIterationCount();
    long started = System.nanoTime();
    try {
      for (int epoch = startEpoch; epoch < epochs; epoch++) {
        long epochStart = System.nanoTime();
        double scoreSum = 0;
        long batches = 0;
        // Task weights may change between epochs (set on the driver's graph); workers take them
        // each round.
        double[] taskWeights = TaskLossWeights.read(graph);
        // Parameters frozen through this whole epoch are left out of the rounds: the workers take
        // them once, from a broadcast, and return only the rest.
        FrozenSpans frozen = FrozenSpans.of(graph, iteration, maxShare);
        float[] fullParams = params;
        Broadcast<float[]> frozenValues = null;
        if (!frozen.none()) {
          frozenValues = jsc.broadcast(params);
          params = frozen.pack(params);
          if (!frozen.equals(lastFrozen)) {
            LOG.info(
                "epoch {}: {} of {} parameters frozen throughout, left out of averaging: {} of {}"
                    + " values sent each way per worker and round (parameters and updater state)",
                epoch + 1,
                frozen.parameters(),
                fullParams.length,
                params.length + updater.length,
                fullParams.length + updater.length);
          }
        }
        lastFrozen = frozen;
        Broadcast<float[]> frozenNow = frozenValues;
        for (int round = 0; round < roundsPerEpoch; round++) {
          long r0 = System.nanoTime();
          JobLabels.describe(jsc, "train", "epoch " + (epoch + 1) + ", round " + (round + 1));
          Broadcast<RoundState> state =
              jsc.broadcast(
                  new RoundState(
                      params, updater, iteration, epoch, round, taskWeights, balanceState));
          RoundSum sum =
              jsc.parallelize(IntStream.range(0, shareCount).boxed().toList(), shareCount)
                  .map(
                      share ->
                          runRound(
                              trainingId,
                              share,
                              conf.value(),
                              paths.value().get(share),
                              hadoop.value(),
                              state.value(),
                              k,
                              trainingSeed,
                              drop,
                              keep,
                              threads,
                              memory,
                              balance,
                              frozen,
                              frozenNow == null ? null : frozenNow.value()))
                  .treeAggregate(
                      new RoundSum(), RoundSum::add, RoundSum::merge, depth, shareCount > 2);
          state.destroy();
          if (LOG.isDebugEnabled()) {
            LOG.debug(
                String.format(
                    "epoch %d, round %d: %.1fms", epoch, round, (System.nanoTime() - r0) / 1e6));
          }
          float[][] averaged = sum.average(params, updater);
          params = averaged[0];
          updater = averaged[1];
          balanceState = sum.averageBalance(balanceState);
          int roundBatches = sum.batches;
          double roundScore = sum.scoreSum;
          TrainingDivergedException.check(roundScore, epoch, "averaging round " + (round + 1));
          if (sum.streamed != streamingWorkers || (epoch == startEpoch && round == 0)) {
            LOG.info(
                sum.streamed == 0
                    ? "all {} workers hold their share of the batches in memory"
                    : "{} of {} workers read their batches from the files every round (their share "
                        + "is larger than train.batchMemory)",
                sum.streamed == 0 ? shareCount : sum.streamed,
                shareCount);
            streamingWorkers = sum.streamed;
          }
          int fittedWorkers = sum.fitted;
          iteration += fittedWorkers == 0 ? 0 : (roundBatches + fittedWorkers - 1) / fittedWorkers;
          scoreSum += roundScore;
          batches += roundBatches;
        }
        if (frozenValues != null) {
          params = frozen.unpack(params, fullParams);
          frozenValues.destroy();
        }
        setState(graph, params, updater, iteration, epoch + 1);
        double seconds = (System.nanoTime() - epochStart) / 1e9;
        double total = (System.nanoTime() - started) / 1e9;
        double score = batches == 0 ? Double.NaN : scoreSum / batches;
        LOG.info(
            String.format(
                "epoch %d/%d: %d batches in %d rounds, %.0f batches/s, score %.4f, elapsed %.0fs, "
                    + "about %.0fs left",
                epoch + 1,
                epochs,
                batches,
                roundsPerEpoch,
                batches / seconds,
                score,
                total,
                total / (epoch + 1 - startEpoch) * (epochs - epoch - 1)));
        epochTasks = tasks;
        epochBalance = balanceState.clone();
        double[] learnedWeights = learnedWeights();
        if (learnedWeights.length > 0) {
          LOG.info(
              "epoch {}: learned task weights ({}, multiplying the configured ones): {}",
              epoch + 1,
              balancing.method().configName(),
              byTask(graph, learnedWeights));
        }
        if (!GraphTrainer.afterEpoch(listener, epoch, graph, score)) {
          break;
        }
      }
    } finally {
      conf.destroy();
      paths.destroy();
      hadoop.destroy();
    }
    return graph;
  }

  private volatile double[] epochBalance = new double[0];
  private volatile int epochTasks;
  private volatile double[] resumedBalance;

  /** The per-step balancing's learned state at the end of the last epoch (empty without one). */
  public double[] balanceState() {
    return epochBalance.clone();
  }

  /**
   * Starts the next {@code fit}'s per-step balancing from {@code state}, a checkpoint's, instead of
   * its initial state (null: the initial state).
   */
  public void resumeBalance(double[] state) {
    resumedBalance = state == null ? null : state.clone();
  }

  /**
   * The task weights learned by the per-step balancing at the end of the last epoch, as
   * multipliers of the configured ones, in output order; empty without learned weights.
   */
  public double[] learnedWeights() {
    double[] state = epochBalance;
    return balancing == null || state.length == 0
        ? new double[0]
        : StepBalancer.learnedWeights(balancing.method(), state, epochTasks);
  }

  private static Map<String, Double> byTask(ComputationGraph graph, double[] w) {
    Map<String, Double> out = new java.util.LinkedHashMap<>();
    List<String> outputs = graph.getConfiguration().getNetworkOutputs();
    for (int k = 0; k < w.length; k++) {
      out.put(outputs.get(k), Math.round(w[k] * 1000) / 1000.0);
    }
    return out;
  }

  /** Deals paths round-robin into {@code n} shares (fewer when there are fewer paths). */
  public static List<List<String>> deal(List<String> paths, int n) {
    int shares = Math.min(n, paths.size());
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < shares; i++) {
      out.add(new ArrayList<>());
    }
    for (int i = 0; i < paths.size(); i++) {
      out.get(i % shares).add(paths.get(i));
    }
    return out;
  }

  /** The name of the thread a streaming worker reads its next batch on. */
  static final String READER_THREAD = "mtl-batch-reader";

  /** The most partial sums one task of the tree merges. */
  static final int FAN_IN = 8;

  /**
   * Levels of the tree that sums {@code workers} results (Spark takes at least 2): the fewest with
   * which no task merges more than {@link #FAN_IN} partial sums ({@link #largestMerge}). Every
   * level is a stage, which costs the driver a scheduling pass and a broadcast of the stage's
   * code, so fewer, wider levels are cheaper than pairs; a merging task reads its inputs one after
   * another, so its memory does not grow with the fan-in.
   */
  static int treeDepth(int workers) {
    int depth = 2;
    while (largestMerge(workers, depth) > FAN_IN && depth < 64) {
      depth++;
    }
    return depth;
  }

  /**
   * The most partial sums one task merges when Spark 3.5's tree aggregation combines {@code
   * workers} results at {@code depth}: it takes scale = max(ceil(workers^(1 / depth)), 2), and
   * while n > scale + ceil(n / scale) it divides n by scale (integer division), result i going to
   * partial sum i mod n; the last sum merges what is left.
   */
  static int largestMerge(int workers, int depth) {
    int n = Math.max(1, workers);
    int scale = Math.max((int) Math.ceil(Math.pow(n, 1.0 / depth)), 2);
    int largest = 1;
    while (n > scale + Math.ceil((double) n / scale)) {
      int next = n / scale;
      largest = Math.max(largest, (n + next - 1) / next);
      n = next;
    }
    return Math.max(largest, n);
  }

  /**
   * A partial sum of a round's worker results, built on the executors: the parameters and updater
   * state summed over the workers that fitted a batch (null until one did), their count, and the
   * batches and score over every worker. Floats, as the workers send them, so that a sum costs
   * the driver no more than one worker's result did; a tree of sums rounds once per level.
   */
  static final class RoundSum implements Serializable {
    private static final long serialVersionUID = 1L;
    float[] params;
    float[] updater;
    int fitted;
    int batches;
    int streamed;
    double scoreSum;
    double[] balance;

    /** Adds one worker's result; returns this sum. */
    RoundSum add(WorkerResult r) {
      batches += r.batches();
      scoreSum += r.scoreSum();
      streamed += r.streamed() ? 1 : 0;
      if (r.batches() > 0) {
        addArrays(r.params(), r.updater());
        addBalance(r.balance());
        fitted++;
      }
      return this;
    }

    private void addBalance(double[] b) {
      if (b == null) {
        return;
      }
      if (balance == null) {
        balance = b.clone();
        return;
      }
      for (int i = 0; i < balance.length; i++) {
        balance[i] += b[i];
      }
    }

    /** The learned balancing state averaged over the fitted workers, or {@code before} when none fitted. */
    double[] averageBalance(double[] before) {
      if (fitted == 0 || balance == null) {
        return before;
      }
      double[] out = new double[balance.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = balance[i] / fitted;
      }
      return out;
    }

    /** Adds another partial sum; returns this sum. */
    RoundSum merge(RoundSum o) {
      batches += o.batches;
      scoreSum += o.scoreSum;
      streamed += o.streamed;
      fitted += o.fitted;
      if (o.params != null) {
        addArrays(o.params, o.updater);
      }
      addBalance(o.balance);
      return this;
    }

    private void addArrays(float[] p, float[] u) {
      if (params == null) {
        params = p.clone();
        updater = u.clone();
        return;
      }
      for (int i = 0; i < params.length; i++) {
        params[i] += p[i];
      }
      for (int i = 0; i < updater.length; i++) {
        updater[i] += u[i];
      }
    }

    /** The average over the fitted workers, or {@code params} and {@code updater} when none fitted. */
    float[][] average(float[] params0, float[] updater0) {
      if (fitted == 0) {
        return new float[][] {params0, updater0};
      }
      float[] p = new float[params.length];
      float[] u = new float[updater.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = params[i] / fitted;
      }
      for (int i = 0; i < u.length; i++) {
        u[i] = updater[i] / fitted;
      }
      return new float[][] {p, u};
    }
  }

  /** One worker's round, on an executor. */
  static WorkerResult runRound(
      String trainingId,
      int share,
      String confJson,
      List<String> paths,
      SerializableConf hadoop,
      RoundState state,
      int k,
      long seed,
      ModalityDropout dropout,
      Residency residency,
      int nativeThreads,
      long batchMemory,
      Balancing balancing,
      FrozenSpans frozen,
      float[] frozenValues)
      throws IOException {
    long t0 = System.nanoTime();
    NativeThreads.limit(NativeThreads.resolve(nativeThreads));
    Slot slot =
        residency == Residency.KEEP_BETWEEN_ROUNDS
            ? WorkerCache.get(
                trainingId,
                share,
                () -> new Slot(confJson, paths, hadoop, batchMemory(batchMemory)))
            : new Slot(confJson, paths, hadoop, batchMemory(batchMemory));
    long t1 = System.nanoTime();
    synchronized (slot) {
      ComputationGraph g = slot.graph;
      if (frozenValues == null) {
        setState(g, state.params(), state.updater(), state.iteration(), state.epoch());
      } else {
        setState(
            g,
            frozen.unpack(state.params(), frozenValues),
            state.updater(),
            state.iteration(),
            state.epoch());
      }
      TaskLossWeights.apply(g, state.taskWeights());
      StepBalancer balancer = slot.balancer(balancing);
      if (balancer != null) {
        balancer.begin(state.taskWeights(), state.balance());
      }
      List<Integer> order = slot.order(state.epoch(), seed + share);
      int from = Math.min(order.size(), state.round() * k);
      int to = Math.min(order.size(), from + k);
      double scoreSum = 0;
      try (Slot.Batches batches = slot.batches(order.subList(from, to))) {
        for (int i = from; i < to; i++) {
          org.nd4j.linalg.dataset.api.MultiDataSet batch =
              dropout.apply(batches.next(), state.epoch(), share, order.get(i));
          if (balancer != null) {
            balancer.beforeStep(stepSeed(seed, share, state.epoch(), order.get(i)), batch);
          }
          g.fit(batch);
          scoreSum += g.score();
        }
      }
      long t2 = System.nanoTime();
      if (LOG.isDebugEnabled()) {
        LOG.debug(
            String.format(
                "share %d, epoch %d, round %d: cache/load %.1fms, fit %d batches %.1fms",
                share, state.epoch(), state.round(), (t1 - t0) / 1e6, to - from, (t2 - t1) / 1e6));
      }
      return new WorkerResult(
          frozen.pack(g.params().toFloatVector()),
          vector(updaterState(g)),
          scoreSum,
          to - from,
          slot.streaming(),
          balancer == null ? new double[0] : balancer.state());
    }
  }

  /** The seed of one step's random draws (dropout) under balancing: the same on a retry. */
  static long stepSeed(long seed, int share, int epoch, int batch) {
    long h = seed;
    for (long v : new long[] {share, epoch, batch}) {
      h = h * 0x9E3779B97F4A7C15L + v;
      h ^= h >>> 29;
    }
    return h;
  }

  /**
   * The memory a worker's batches may take: {@code configured} when it is 0 or more, else a quarter
   * of this process's off-heap limit (where ND4J keeps arrays: the heap size unless {@code
   * org.bytedeco.javacpp.maxbytes} is set; the heap size too when it is 0, no limit) over its task
   * slots ({@code spark.executor.cores}, or
   * the processors, over the task's {@code spark.task.cpus}).
   */
  static long batchMemory(long configured) {
    if (configured >= 0) {
      return configured;
    }
    int processors = Runtime.getRuntime().availableProcessors();
    SparkEnv env = SparkEnv.get();
    int cores = env == null ? processors : env.conf().getInt("spark.executor.cores", processors);
    TaskContext task = TaskContext.get();
    int slots = Math.max(1, cores / Math.max(1, task == null ? 1 : task.cpus()));
    // javacpp's maxbytes 0 means no limit of its own: the heap size bounds the estimate then.
    long offHeap = Pointer.maxBytes() > 0 ? Pointer.maxBytes() : Runtime.getRuntime().maxMemory();
    return offHeap / 4 / slots;
  }

  /** The bytes a batch's arrays take. */
  static long bytes(MultiDataSet batch) {
    long sum = 0;
    for (INDArray[] arrays :
        List.of(
            batch.getFeatures(),
            batch.getLabels(),
            orEmpty(batch.getFeaturesMaskArrays()),
            orEmpty(batch.getLabelsMaskArrays()))) {
      for (INDArray a : arrays) {
        sum += a == null ? 0 : a.length() * a.dataType().width();
      }
    }
    return sum;
  }

  private static INDArray[] orEmpty(INDArray[] a) {
    return a == null ? new INDArray[0] : a;
  }

  static INDArray updaterState(ComputationGraph g) {
    INDArray state = g.getUpdater(true).getStateViewArray();
    return state == null ? Nd4j.empty() : state;
  }

  private static float[] vector(INDArray a) {
    return a.length() == 0 ? new float[0] : a.toFloatVector();
  }

  static void setState(
      ComputationGraph g, float[] params, float[] updater, int iteration, int epoch) {
    g.params().assign(Nd4j.createFromArray(params).reshape(g.params().shape()));
    INDArray u = updaterState(g);
    if (u.length() > 0) {
      u.assign(Nd4j.createFromArray(updater).reshape(u.shape()));
    }
    g.getConfiguration().setIterationCount(iteration);
    g.getConfiguration().setEpochCount(epoch);
  }

  /**
   * A worker's resident network and its share of the batches: held in memory when they fit in the
   * batch memory (estimated from the first batch's size times their number), else read from the
   * files when a round needs them.
   */
  static final class Slot {
    final ComputationGraph graph;
    private final List<String> paths;
    private final Configuration hadoop;

    /** The batches, in share order; null when they are read every round. */
    private final List<MultiDataSet> held;

    private int orderEpoch = -1;
    private List<Integer> order;
    private StepBalancer balancer;

    /** This worker's balancer for {@code balancing} (listening to its network); null for none. */
    StepBalancer balancer(Balancing balancing) {
      if (balancing == null) {
        return null;
      }
      if (balancer == null) {
        balancer = new StepBalancer(graph, balancing.method(), balancing.alpha(), balancing.rate());
        graph.setListeners(balancer);
      }
      return balancer;
    }

    Slot(String confJson, List<String> paths, SerializableConf hadoop, long budget)
        throws IOException {
      graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(confJson));
      graph.init();
      this.paths = List.copyOf(paths);
      this.hadoop = hadoop.get();
      MultiDataSet first = paths.isEmpty() ? null : BatchFiles.read(this.hadoop, paths.get(0));
      long estimate = first == null ? 0 : bytes(first) * paths.size();
      if (estimate <= budget) {
        List<MultiDataSet> all = new ArrayList<>(paths.size());
        if (first != null) {
          all.add(first);
          all.addAll(BatchFiles.readAll(this.hadoop, paths.subList(1, paths.size())));
        }
        held = List.copyOf(all);
      } else {
        held = null;
        LOG.info(
            String.format(
                "a worker's %d batches take about %.1f MB, more than its batch memory of %.1f MB: "
                    + "reading them from the files every round",
                paths.size(), estimate / 1048576.0, budget / 1048576.0));
      }
    }

    /** Whether this worker reads its batches from the files every round. */
    boolean streaming() {
      return held == null;
    }

    /** The batches at {@code indices} of the share, in that order. */
    Batches batches(List<Integer> indices) {
      return new Batches(indices);
    }

    /**
     * The batches of one round: from memory, or read from the files one batch ahead of the one
     * being fitted, on a thread of their own that ends with the round.
     */
    final class Batches implements AutoCloseable {
      private final List<Integer> indices;
      private final ExecutorService reader;
      private Future<MultiDataSet> ahead;
      private int next;

      Batches(List<Integer> indices) {
        this.indices = indices;
        if (held == null && !indices.isEmpty()) {
          reader =
              Executors.newSingleThreadExecutor(
                  r -> {
                    Thread t = new Thread(r, READER_THREAD);
                    t.setDaemon(true);
                    return t;
                  });
          ahead = read(0);
        } else {
          reader = null;
        }
      }

      private Future<MultiDataSet> read(int position) {
        String path = paths.get(indices.get(position));
        return reader.submit(() -> BatchFiles.read(hadoop, path));
      }

      MultiDataSet next() throws IOException {
        int position = next++;
        if (held != null) {
          return held.get(indices.get(position));
        }
        Future<MultiDataSet> current = ahead;
        ahead = position + 1 < indices.size() ? read(position + 1) : null;
        try {
          return current.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading a batch");
        } catch (ExecutionException e) {
          if (e.getCause() instanceof IOException io) {
            throw io;
          }
          if (e.getCause() instanceof UncheckedIOException u) {
            throw u.getCause();
          }
          throw new IllegalStateException("reading a batch failed", e.getCause());
        }
      }

      @Override
      public void close() {
        if (reader != null) {
          reader.shutdownNow();
        }
      }
    }

    /** The seeded visiting order of this share's batches in {@code epoch}. */
    List<Integer> order(int epoch, long seed) {
      if (epoch != orderEpoch) {
        List<Integer> o = new ArrayList<>(IntStream.range(0, paths.size()).boxed().toList());
        Collections.shuffle(o, new Random(seed * 1_000_003L + epoch));
        order = o;
        orderEpoch = epoch;
      }
      return order;
    }
  }

  /** Executor-side cache of worker slots; holds the slots of one training at a time. */
  static final class WorkerCache {
    private static final Map<String, Slot> SLOTS = new ConcurrentHashMap<>();

    interface Loader {
      Slot load() throws IOException;
    }

    static Slot get(String trainingId, int share, Loader loader) throws IOException {
      String key = trainingId + "/" + share;
      Slot slot = SLOTS.get(key);
      if (slot != null) {
        return slot;
      }
      synchronized (SLOTS) {
        SLOTS.keySet().removeIf(k -> !k.startsWith(trainingId + "/"));
        slot = SLOTS.get(key);
        if (slot == null) {
          slot = loader.load();
          SLOTS.put(key, slot);
        }
        return slot;
      }
    }
  }
}
