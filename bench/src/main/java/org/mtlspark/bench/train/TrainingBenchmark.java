package org.mtlspark.bench.train;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.workers.eval.TaskAccumulator;
import org.mtlspark.workers.eval.TaskEvaluator;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.eval.ValidationObjective;
import org.mtlspark.workers.train.BatchLoader;
import org.mtlspark.workers.train.NativeThreads;
import org.mtlspark.workers.train.ResidentAveragingTrainer;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one workload several ways and measures examples per second, final per-task quality and
 * time to quality: (a) one plain {@code ComputationGraph.fit} loop, no Spark (the baseline); (b)
 * dl4j-spark's ParameterAveragingTrainingMaster on Spark; (c) our resident averaging on Spark; (d)
 * N plain loops on disjoint shares in N threads of this process; (e) N plain loops in N processes
 * of their own, one native thread each (the machine's N-worker ceiling: no Spark, no
 * communication); (p) the PyTorch peer in one process and (q) with DistributedDataParallel in N
 * processes over gloo, where the workload has one and a Python with torch is found.
 *
 * <p>Time to quality: (a), (b) and (c) are evaluated on the holdout after every epoch, with the
 * clock stopped; a phase's time to quality is the training time until its holdout objective (the
 * mean gain over the tasks' baselines) first comes within 1% of what (a) reaches at its end in the
 * same repeat.
 */
public final class TrainingBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingBenchmark.class);

  /** The phases, in the order they run within a repeat, as the command line lists them. */
  public static final String PHASE_LIST = "a,b,c,s,d,e,p,q";

  /** {@link #PHASE_LIST} as a list. */
  public static final List<String> PHASES = List.of(PHASE_LIST.split(","));

  /** A point of a run's learning curve: training seconds so far and the holdout objective. */
  public record Point(double seconds, double objective) {}

  /**
   * One training run of one phase: its seed, time, rate, holdout metrics, learning curve (empty
   * where the phase is not evaluated between epochs) and training seconds until it reached {@code
   * (a)}'s quality (NaN: not measured; infinite: not reached).
   */
  public record Run(
      long seed,
      double seconds,
      double examplesPerSecond,
      Map<String, Double> metrics,
      List<Point> curve,
      double secondsToQuality) {
    Run toQuality(double target) {
      double reached = curve.isEmpty() ? Double.NaN : Double.POSITIVE_INFINITY;
      for (Point p : curve) {
        if (p.objective() >= target - 0.01 * Math.abs(target)) {
          reached = p.seconds();
          break;
        }
      }
      return new Run(seed, seconds, examplesPerSecond, metrics, curve, reached);
    }
  }

  /**
   * One phase over all repeats: the mean rate, and the mean and sample standard deviation of each
   * metric (zero with one repeat), with every run kept.
   */
  public record Phase(
      String id,
      String description,
      double seconds,
      double examplesPerSecond,
      double secondsToQuality,
      Map<String, Double> metrics,
      Map<String, Double> metricsSd,
      List<Run> runs) {

    /** A phase that did not run, and why. */
    static Phase skipped(String id, String why) {
      return new Phase(id, why, Double.NaN, Double.NaN, Double.NaN, Map.of(), Map.of(), List.of());
    }

    public boolean ran() {
      return !runs.isEmpty();
    }

    /** How many runs reached (a)'s quality, of those where it was measured. */
    public String reached() {
      long measured = runs.stream().filter(r -> !Double.isNaN(r.secondsToQuality())).count();
      long reached = runs.stream().filter(r -> Double.isFinite(r.secondsToQuality())).count();
      return reached + "/" + measured;
    }

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
          meanReached(runs),
          mean,
          sd,
          List.copyOf(runs));
    }

    /**
     * The mean seconds to quality over the runs that reached it; infinite when none did, NaN when
     * it was not measured.
     */
    private static double meanReached(List<Run> runs) {
      double[] reached =
          runs.stream().mapToDouble(Run::secondsToQuality).filter(Double::isFinite).toArray();
      if (reached.length > 0) {
        return mean(reached);
      }
      return runs.stream().anyMatch(r -> Double.isInfinite(r.secondsToQuality()))
          ? Double.POSITIVE_INFINITY
          : Double.NaN;
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
  private final List<Integer> averaging;
  private final long seed;
  private final int repeats;
  private final int plainThreads;

  /**
   * @param repeats how many times each phase runs, with training seeds {@code seed}, {@code seed + 1},
   *     ...: every phase of a repeat starts from the same initial parameters, and the phases are
   *     interleaved (a, b, c, d, a, b, ...) so that a slow spell of the machine hits all of them
   * @param plainThreads native threads of the loops run in this process, (a) and (d)
   */
  public TrainingBenchmark(
      JavaSparkContext jsc,
      int workers,
      int epochs,
      List<Integer> averaging,
      long seed,
      int repeats,
      int plainThreads) {
    if (repeats < 1 || plainThreads < 1) {
      throw new IllegalArgumentException(
          "repeats and plain threads must be at least 1, were " + repeats + ", " + plainThreads);
    }
    this.jsc = jsc;
    this.workers = workers;
    this.epochs = epochs;
    if (averaging.isEmpty() || averaging.stream().anyMatch(k -> k < 1)) {
      throw new IllegalArgumentException("averaging frequencies must be at least 1: " + averaging);
    }
    this.averaging = List.copyOf(averaging);
    this.seed = seed;
    this.repeats = repeats;
    this.plainThreads = plainThreads;
  }

  public List<Phase> run(Workload w, List<String> phases) throws IOException {
    for (String id : phases) {
      if (!PHASES.contains(id)) {
        throw new IllegalArgumentException("unknown phase " + id + " " + PHASES);
      }
    }
    Map<String, String> skipped = new LinkedHashMap<>();
    TorchPeer torch = null;
    if (phases.contains("p") || phases.contains("q")) {
      if (w.peerRows() == null) {
        skipPeer(skipped, "PyTorch peer: none for this workload");
      } else {
        TorchPeer.Found found = TorchPeer.find();
        if (found.python() == null) {
          skipPeer(skipped, "PyTorch peer skipped: " + found.why());
        } else {
          torch = new TorchPeer(found.python(), w.peerRows(), epochs);
        }
      }
    }
    warmUp(w);
    Map<String, List<Run>> runs = new LinkedHashMap<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    List<String> order = new ArrayList<>();
    for (String id : PHASES) {
      if (!id.equals("c")) {
        order.add(id);
      } else if (phases.contains("c")) {
        averaging.forEach(k -> order.add(averagingPhase(k)));
      }
    }
    for (int r = 0; r < repeats; r++) {
      long s = seed + r;
      Double target = null;
      for (String id : order) {
        if ((!phases.contains(id) && !id.startsWith("c")) || skipped.containsKey(id)) {
          continue;
        }
        LOG.info("workload {}: phase {}, repeat {}/{} (seed {})", w.name(), id, r + 1, repeats, s);
        descriptions.put(id, description(id));
        Run run;
        try {
          run =
              switch (id) {
                case "p" -> torch.run(1, s);
                case "q" -> torch.run(workers, s);
                case "e" -> processLoops(w, s);
                default -> timed(w, id, s);
              };
        } catch (IOException e) {
          if (!id.equals("p") && !id.equals("q")) {
            throw e;
          }
          // The peer is a comparison, not the product: its failure costs only its rows.
          LOG.warn("workload {}: the PyTorch peer failed, its phases are skipped", w.name(), e);
          String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
          skipPeer(skipped, "PyTorch peer failed: " + first);
          runs.remove("p");
          runs.remove("q");
          continue;
        }
        if (id.equals("a")) {
          target = run.curve().get(run.curve().size() - 1).objective();
        }
        runs.computeIfAbsent(id, k -> new ArrayList<>())
            .add(target == null ? run : run.toQuality(target));
      }
    }
    List<Phase> out = new ArrayList<>();
    for (String id : order) {
      if (runs.containsKey(id)) {
        out.add(Phase.of(id, descriptions.get(id), runs.get(id)));
      } else if (skipped.containsKey(id) && phases.contains(id)) {
        out.add(Phase.skipped(id, skipped.get(id)));
      }
    }
    return out;
  }

  /** Marks both PyTorch phases, (p) and (q), as not run, and why. */
  private static void skipPeer(Map<String, String> skipped, String why) {
    skipped.put("p", why);
    skipped.put("q", why);
  }

  private String description(String id) {
    return switch (id) {
      case "a" ->
          "one plain fit loop, no Spark, "
              + plainThreads
              + " native thread"
              + (plainThreads == 1 ? "" : "s");
      case "b" ->
          "dl4j-spark ParameterAveragingTrainingMaster, its defaults, " + workers + " workers";
      case "d" -> workers + " plain loops, disjoint shares, " + workers + " threads of one JVM";
      case "e" ->
          workers
              + " plain loops, disjoint shares, "
              + workers
              + " JVMs, 1 native thread each (ceiling)";
      case "s" ->
          description("c") + ", batches read from the files every round (train.batchMemory 0)";
      case "p" -> "PyTorch, one process";
      case "q" -> "PyTorch DistributedDataParallel, " + workers + " processes over gloo";
      default ->
          "resident parameter averaging (ours), "
              + workers
              + " workers, every "
              + averagingOf(id)
              + " batches";
    };
  }

  /**
   * The id of phase (c) averaging every {@code k} batches: {@code c} when it is the only
   * frequency, else {@code c@k}.
   */
  private String averagingPhase(int k) {
    return averaging.size() == 1 ? "c" : "c@" + k;
  }

  private int averagingOf(String id) {
    return id.contains("@")
        ? Integer.parseInt(id.substring(id.indexOf('@') + 1))
        : averaging.get(0);
  }

  /** A phase that trains {@code g} in this process, calling {@code epochEnd} after every epoch. */
  private interface Training {
    ComputationGraph train(ComputationGraph g, Clock clock) throws IOException;
  }

  private Training training(String id, Workload w, long s) {
    return switch (id) {
      case "a" -> (g, clock) -> plainLoop(g, load(w.trainFiles()), s, clock);
      case "b" -> (g, clock) -> stockDl4jSpark(g, w, s, clock);
      case "d" -> (g, clock) -> parallelLoops(g, w, s);
      default ->
          (g, clock) ->
              new ResidentAveragingTrainer(jsc, workers, averagingOf(id), epochs, s)
                  .withWorkerResources(0, id.equals("s") ? 0 : -1)
                  .fit(
                      g,
                      w.trainFiles(),
                      (epoch, graph, score) -> {
                        clock.epochEnd(graph);
                        return true;
                      });
    };
  }

  /**
   * Training time with the holdout evaluations between epochs taken out, and the learning curve
   * those evaluations draw.
   */
  private static final class Clock {
    private final Workload w;
    private final long start = System.nanoTime();
    private long paused;
    private final List<Point> curve = new ArrayList<>();

    Clock(Workload w) {
      this.w = w;
    }

    void epochEnd(ComputationGraph g) {
      long t0 = System.nanoTime();
      curve.add(new Point((t0 - start - paused) / 1e9, objective(g, w)));
      paused += System.nanoTime() - t0;
    }

    double seconds() {
      return (System.nanoTime() - start - paused) / 1e9;
    }
  }

  private Run timed(Workload w, String id, long s) throws IOException {
    // Every phase run in this process starts from the same native threads, whatever the last
    // phase's workers set: (a)'s; (c)'s workers then set their own.
    NativeThreads.limit(plainThreads);
    ComputationGraph g = w.network().create(s);
    Clock clock = new Clock(w);
    ComputationGraph trained = training(id, w, s).train(g, clock);
    double seconds = clock.seconds();
    return logged(
        w, id, new Run(s, seconds, rate(w, seconds), quality(trained, w), clock.curve, Double.NaN));
  }

  private double rate(Workload w, double seconds) {
    return w.trainExamples() * (double) epochs / seconds;
  }

  private static Run logged(Workload w, String id, Run run) {
    LOG.info(
        String.format(
            "workload %s, phase %s, seed %d: %.1fs, %.0f examples/s, %s",
            w.name(), id, run.seed(), run.seconds(), run.examplesPerSecond(), run.metrics()));
    return run;
  }

  private ComputationGraph plainLoop(
      ComputationGraph g, List<MultiDataSet> batches, long loopSeed, Clock clock) {
    return plainLoop(g, batches, epochs, loopSeed, clock == null ? null : clock::epochEnd);
  }

  /**
   * The plain fit loop of (a), (d) and (e): {@code epochs} passes over {@code batches}, each in a
   * seeded order; {@code epochEnd} (may be null) is called after every pass.
   */
  static ComputationGraph plainLoop(
      ComputationGraph g,
      List<? extends MultiDataSet> batches,
      int epochs,
      long loopSeed,
      java.util.function.Consumer<ComputationGraph> epochEnd) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      order.add(i);
    }
    for (int e = 0; e < epochs; e++) {
      Collections.shuffle(order, new Random(loopSeed * 31 + e));
      for (int i : order) {
        g.fit(batches.get(i));
      }
      if (epochEnd != null) {
        epochEnd.accept(g);
      }
    }
    return g;
  }

  /**
   * N plain loops in N processes of their own ({@link LoopProcess}), each with one native thread:
   * they start together once every one has warmed up, and the phase takes as long as the slowest.
   * The quality figures are the first loop's.
   */
  private Run processLoops(Workload w, long s) throws IOException {
    Path dir = Files.createTempDirectory("mtl-bench-loops");
    List<ChildJvm.Child> processes = new ArrayList<>();
    try {
      Path network = dir.resolve("network.zip");
      ModelSerializer.writeModel(w.network().create(s), network.toFile(), true);
      List<List<String>> shares = ResidentAveragingTrainer.deal(w.trainFiles(), workers);
      for (int i = 0; i < shares.size(); i++) {
        Path paths = dir.resolve("share-" + i + ".txt");
        Files.write(paths, shares.get(i), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(ChildJvm.command(LoopProcess.class));
        command.addAll(
            List.of(
                network.toString(),
                paths.toString(),
                String.valueOf(epochs),
                String.valueOf(s + 7919L * i),
                "1"));
        if (i == 0) {
          command.add(dir.resolve("trained.zip").toString());
        }
        ProcessBuilder pb =
            new ProcessBuilder(command)
                .redirectError(dir.resolve("loop-" + i + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        pb.environment().put("OMP_NUM_THREADS", "1");
        processes.add(new ChildJvm.Child(pb.start(), dir.resolve("loop-" + i + ".log")));
      }
      for (ChildJvm.Child c : processes) {
        c.await("ready", Duration.ofMinutes(10));
      }
      for (ChildJvm.Child c : processes) {
        c.process.getOutputStream().write("go\n".getBytes(StandardCharsets.UTF_8));
        c.process.getOutputStream().flush();
      }
      double seconds = 0;
      for (ChildJvm.Child c : processes) {
        String done = c.await("done ", Duration.ofHours(1));
        seconds = Math.max(seconds, Double.parseDouble(done.substring(5).strip()));
      }
      for (ChildJvm.Child c : processes) {
        if (!c.process.waitFor(10, TimeUnit.MINUTES) || c.process.exitValue() != 0) {
          throw new IOException("a loop process failed; the end of its log:\n" + c.tail());
        }
      }
      ComputationGraph trained =
          ModelSerializer.restoreComputationGraph(dir.resolve("trained.zip").toFile(), false);
      return logged(
          w,
          "e",
          new Run(s, seconds, rate(w, seconds), quality(trained, w), List.of(), Double.NaN));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the loop processes ran");
    } finally {
      processes.forEach(c -> c.process.destroyForcibly());
      ChildJvm.delete(dir);
    }
  }

  /**
   * dl4j-spark as it comes: the training master's defaults (averaging every 5 batches, no updater
   * averaging) at the same batch size; only prefetch is off, because its prefetching iterator
   * breaks absent feature masks.
   */
  private ComputationGraph stockDl4jSpark(ComputationGraph g, Workload w, long s, Clock clock) {
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
      clock.epochEnd(spark.getNetwork());
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
        futures.add(
            pool.submit(
                () -> {
                  NativeThreads.limit(plainThreads);
                  return plainLoop(copy, loadUnchecked(share), loopSeed, null);
                }));
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

  /** Each task's metrics on the holdout. */
  static List<TaskMetrics> holdoutMetrics(ComputationGraph g, Workload w) {
    List<TaskAccumulator> acc = w.tasks().stream().map(TaskAccumulator::new).toList();
    for (var batch : w.holdout()) {
      TaskEvaluator.score(g, toDataSet(batch), acc);
    }
    return acc.stream().map(TaskMetrics::of).toList();
  }

  /** The holdout objective: the mean over tasks of the gain over the task's baseline. */
  static double objective(ComputationGraph g, Workload w) {
    return ValidationObjective.of(holdoutMetrics(g, w), Map.of());
  }

  static Map<String, Double> quality(ComputationGraph g, Workload w) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (TaskMetrics m : holdoutMetrics(g, w)) {
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
