package org.mtlspark.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.bench.prep.PrepBenchmark;
import org.mtlspark.bench.quality.ChanceLevel;
import org.mtlspark.bench.quality.DeltaM;
import org.mtlspark.bench.quality.KeyBiasBaseline;
import org.mtlspark.bench.quality.PeerModels;
import org.mtlspark.bench.quality.PeerSettings;
import org.mtlspark.bench.quality.Spread;
import org.mtlspark.bench.train.MultimodalWorkload;
import org.mtlspark.bench.train.SeedWorkload;
import org.mtlspark.bench.train.TrainingBenchmark;
import org.mtlspark.bench.train.Workload;
import org.mtlspark.config.ModelConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.RunConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.driver.CommandException;
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.driver.MtlCommand;
import org.mtlspark.driver.OutputFolder;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.Metric;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmarks' command line, {@code mtl bench}: a program of its own beside the product's
 * {@code mtl} command line, which runs the product's jobs and reports failures with the same exit
 * codes. It ships in this module's jar, never in the application jar.
 */
@Command(
    name = "mtl bench",
    mixinStandardHelpOptions = true,
    version = "mtlspark 0.1.0",
    description = "Benchmarks of the product's data preparation, training and model quality.",
    subcommands = {
      BenchCommand.Train.class,
      BenchCommand.Prep.class,
      BenchCommand.Quality.class,
      BenchMultiMnistCommand.class,
      BenchScalingCommand.class,
      BenchRoundsCommand.class,
      BenchSummaryCommand.class,
      picocli.CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:unexpected failure (see the log)",
      "2:bad command line or configuration (nothing started)",
      "3:input data unusable as configured",
      "5:training diverged (NaN or infinite score)"
    })
public final class BenchCommand implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(BenchCommand.class);

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(),
        "name a benchmark: train, prep, quality, multimnist, scaling or rounds; or summary");
  }

  public static void main(String[] args) throws org.apache.spark.SparkUserAppException {
    MtlCommand.exit(execute(args));
  }

  /** Runs the benchmarks' command line and returns its exit code (does not exit). */
  public static int execute(String... args) {
    return MtlCommand.execute(new BenchCommand(), args);
  }

  /**
   * A benchmark: a scratch folder (replaced) and an optional results file, which {@code bench summary}
   * gathers with the others.
   */
  abstract static class Base extends MtlCommand.SparkCommand {
    @Option(
        names = "--work",
        paramLabel = "DIR",
        description =
            "Scratch folder, emptied when the benchmark starts: "
                + "a new folder, or one an earlier benchmark made that holds only what benchmarks write and none of the "
                + "inputs (default: runs/bench-NAME).")
    String work;

    @Option(
        names = "--out",
        paramLabel = "FILE",
        description =
            "Also write the results as JSON here (a new file, "
                + "or the results file of an earlier benchmark, replaced).")
    String out;

    /** The benchmark's name, as on the command line. */
    abstract String name();

    String work() {
      return work != null ? work : "runs/bench-" + name();
    }

    /** Folders or files the benchmark reads, which its scratch folder must not hold. */
    List<String> inputs() {
      return List.of();
    }

    /**
     * The scratch folder is emptied when the benchmark starts: it must be new, or one a benchmark
     * made (it holds {@link #SCRATCH_MARKER}) that holds nothing a benchmark does not write and none
     * of the benchmark's inputs; the results file must not lie in it.
     */
    @Override
    protected void checkInputs(MtlConfig config, org.apache.hadoop.conf.Configuration hadoop)
        throws IOException {
      OutputFolder.checkPlace(hadoop, "--work", work());
      org.apache.hadoop.fs.Path scratch = new org.apache.hadoop.fs.Path(work());
      org.apache.hadoop.fs.FileSystem fs = scratch.getFileSystem(hadoop);
      org.apache.hadoop.fs.Path qualified = fs.makeQualified(scratch);
      if (qualified.getParent() == null) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--work " + work() + " is the root of a filesystem; name a " + "scratch folder");
      }
      List<String> inputs = new ArrayList<>(configFiles());
      inputs.addAll(inputs());
      for (String input : inputs) {
        if (input != null) {
          org.apache.hadoop.fs.Path in = new org.apache.hadoop.fs.Path(input);
          if (OutputFolder.isWithin(in.getFileSystem(hadoop).makeQualified(in), qualified)) {
            throw new CommandException(
                ExitCodes.USAGE,
                "--work "
                    + work()
                    + " holds the input "
                    + input
                    + ", which emptying it would delete; choose another --work");
          }
        }
      }
      if (out != null) {
        org.apache.hadoop.fs.Path results = new org.apache.hadoop.fs.Path(out);
        if (OutputFolder.isWithin(
            results.getFileSystem(hadoop).makeQualified(results), qualified)) {
          throw new CommandException(
              ExitCodes.USAGE,
              "--out "
                  + out
                  + " is inside --work "
                  + work()
                  + ", which the benchmark empties; write the results elsewhere");
        }
        OutputFolder.checkPlace(hadoop, "--out", out);
        if (HadoopFiles.exists(hadoop, out)) {
          checkResultsFile(hadoop, out);
        }
      }
      if (!fs.exists(qualified)) {
        return;
      }
      if (!fs.getFileStatus(qualified).isDirectory()
          || !fs.exists(new org.apache.hadoop.fs.Path(qualified, SCRATCH_MARKER))) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--work "
                + work()
                + " exists and is not a benchmark's scratch "
                + "folder (it holds no "
                + SCRATCH_MARKER
                + "); choose another --work");
      }
      java.util.Set<String> foreign = new java.util.TreeSet<>();
      for (org.apache.hadoop.fs.FileStatus child : fs.listStatus(qualified)) {
        if (!scratchEntry(child.getPath().getName())) {
          foreign.add(child.getPath().getName());
        }
      }
      if (!foreign.isEmpty()) {
        List<String> shown = new ArrayList<>(foreign).subList(0, Math.min(5, foreign.size()));
        throw new CommandException(
            ExitCodes.USAGE,
            "--work "
                + work()
                + " holds "
                + String.join(", ", shown)
                + (foreign.size() > shown.size()
                    ? " and " + (foreign.size() - shown.size()) + " more"
                    : "")
                + ", which no benchmark writes and emptying it would delete; choose another --work");
      }
    }
  }

  /** What the benchmarks write in a scratch folder: these names, alone or followed by -SUFFIX. */
  private static final java.util.regex.Pattern SCRATCH_ENTRY =
      java.util.regex.Pattern.compile(
          "(data|prep|run|joined|warmup|averaging|seed|multimodal|multimnist|multifashion)(-.+)?");

  /**
   * Whether a benchmark writes an entry of this name in its scratch folder: the marker, a name of
   * {@link #SCRATCH_ENTRY}, or the hidden staging folder or checksum file of one.
   */
  static boolean scratchEntry(String name) {
    String n = name;
    if (n.startsWith(".") && (n.endsWith(".crc") || n.endsWith(".tmp"))) {
      n = n.substring(1, n.length() - 4);
    }
    return n.equals(SCRATCH_MARKER) || SCRATCH_ENTRY.matcher(n).matches();
  }

  /**
   * An existing {@code --out} is replaced only when it holds a benchmark's results (a JSON object
   * with its title, machine and tables), never another file.
   */
  static void checkResultsFile(org.apache.hadoop.conf.Configuration hadoop, String out)
      throws IOException {
    org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(out);
    boolean results = false;
    if (file.getFileSystem(hadoop).getFileStatus(file).isFile()) {
      try {
        var json = new ObjectMapper().readTree(HadoopFiles.readString(hadoop, out));
        results = json != null && json.has("title") && json.has("machine") && json.has("tables");
      } catch (IOException e) {
        results = false;
      }
    }
    if (!results) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--out "
              + out
              + " exists and is not a benchmark's results file; "
              + "choose another --out");
    }
  }

  /** The file that marks a folder as a benchmark's scratch folder, which a benchmark may empty. */
  static final String SCRATCH_MARKER = ".mtl-bench-scratch";

  /** Empties a benchmark's scratch folder (any Hadoop filesystem) and marks it as one. */
  static void clearScratch(SparkSession spark, String work) throws IOException {
    org.apache.hadoop.fs.Path scratch = new org.apache.hadoop.fs.Path(work);
    org.apache.hadoop.fs.FileSystem fs =
        scratch.getFileSystem(spark.sparkContext().hadoopConfiguration());
    fs.delete(scratch, true);
    fs.mkdirs(scratch);
    fs.create(new org.apache.hadoop.fs.Path(scratch, SCRATCH_MARKER), false).close();
  }

  /** {@code x} rounded to {@code digits} decimals (NaN stays NaN). */
  static double round(double x, int digits) {
    double scale = Math.pow(10, digits);
    return Double.isFinite(x) ? Math.round(x * scale) / scale : x;
  }

  /** Writes a benchmark's results as indented JSON. */
  static void writeJson(SparkSession spark, String out, Object results) throws IOException {
    HadoopFiles.writeString(
        spark.sparkContext().hadoopConfiguration(),
        out,
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(results));
  }

  @Command(
      name = "quality",
      mixinStandardHelpOptions = true,
      description =
          "Model quality, every model trained and evaluated by the same code on the same prepared data: "
              + "one model per task alone, and one shared model for every task with hard sharing and concatenation, "
              + "hard sharing and attention fusion, and soft sharing and concatenation; beside them, per task, "
              + "the peers (--peers): gradient-boosted trees and a linear model from Spark MLlib, fitted on the "
              + "same prepared training examples and scored on the same test rows by the same metric code. "
              + "Generates the built-in data "
              + "unless --data names raw data for the configuration (e.g. MovieLens with "
              + "conf/examples/movielens.yaml). Prints each task's test metric per model beside its trivial baseline, "
              + "the bias-per-key-column baseline of regression tasks on a composite key, and the ablation of the "
              + "hard-sharing model.")
  static final class Quality extends BenchCommand.Base {
    @Override
    String name() {
      return "quality";
    }

    @Option(
        names = "--rows",
        defaultValue = "5000",
        description = "Records to generate when --data is not given (default: ${DEFAULT-VALUE}).")
    long rows;

    @Option(
        names = "--data",
        paramLabel = "DIR",
        description = "Raw data for the configured sources instead of " + "generated data.")
    String data;

    @Option(
        names = "--peers",
        split = ",",
        defaultValue = "gbt,linear",
        paramLabel = "NAME",
        description =
            "Peer models trained per task on the same prepared examples: gbt (gradient-boosted trees) "
                + "and/or linear, or none (default: ${DEFAULT-VALUE}).")
    List<String> peers;

    @Option(
        names = "--models",
        split = ",",
        defaultValue = "single-task,hard+concat,hard+attention,soft+concat",
        paramLabel = "NAME",
        description =
            "Our models to train: single-task (one per task), and shared models named "
                + "sharing+fusion[+weighting] (sharing hard, soft, mmoe or ple; fusion concat or "
                + "attention; weighting any train.taskWeighting, e.g. hard+concat+pcgrad; without "
                + "it, the configuration's) (default: ${DEFAULT-VALUE}). hard+concat is always "
                + "trained: the baselines and the ablation come from it; without single-task there "
                + "is no sharing column and no Delta-m.")
    List<String> models;

    @Option(
        names = "--seeds",
        defaultValue = "1",
        paramLabel = "N",
        description =
            "Train every model (ours and the peers) N times, with seeds run.seed, run.seed + 1, ...; "
                + "each figure is then the mean +- standard deviation (default: ${DEFAULT-VALUE}).")
    int seeds;

    @Option(
        names = "--gbt-iter",
        defaultValue = "60",
        paramLabel = "N",
        description = "Boosting rounds of the gbt peer (default: ${DEFAULT-VALUE}).")
    int gbtIter;

    @Option(
        names = "--gbt-depth",
        defaultValue = "5",
        paramLabel = "N",
        description = "Depth of each tree of the gbt peer (default: ${DEFAULT-VALUE}).")
    int gbtDepth;

    @Option(
        names = "--gbt-step",
        defaultValue = "0.1",
        paramLabel = "X",
        description = "Learning rate of the gbt peer (default: ${DEFAULT-VALUE}).")
    double gbtStep;

    @Option(
        names = "--gbt-subsample",
        defaultValue = "0.8",
        paramLabel = "X",
        description = "Share of the training rows each tree sees (default: ${DEFAULT-VALUE}).")
    double gbtSubsample;

    @Option(
        names = "--linear-l2",
        defaultValue = "0.01",
        paramLabel = "X",
        description = "L2 penalty of the linear peer (default: ${DEFAULT-VALUE}).")
    double linearL2;

    @Option(
        names = "--linear-iter",
        defaultValue = "100",
        paramLabel = "N",
        description = "Iterations of the linear peer's solver (default: ${DEFAULT-VALUE}).")
    int linearIter;

    @Option(
        names = "--peer-words",
        defaultValue = "0",
        paramLabel = "N",
        description =
            "The peers see a text as counts of the N most frequent words of the vocabulary only "
                + "(default: ${DEFAULT-VALUE}, all of them): MLlib's trees take time in proportion "
                + "to the features, a 5,000-word vocabulary times one model per label is hours.")
    int peerWords;

    @Override
    List<String> inputs() {
      return java.util.Arrays.asList(data);
    }

    @Override
    protected void checkInputs(MtlConfig config, org.apache.hadoop.conf.Configuration hadoop)
        throws IOException {
      if (data != null) {
        require(hadoop, "--data", data, null, null);
      }
      super.checkInputs(config, hadoop);
    }

    /**
     * A shared model compared: its sharing and fusion, and its task weighting (null: the
     * configuration's).
     */
    record Variant(
        ModelConfig.Sharing sharing, ModelConfig.Fusion fusion, TrainConfig.Weighting weighting) {
      String name() {
        return sharing.name().toLowerCase()
            + "+"
            + fusion.name().toLowerCase()
            + (weighting == null ? "" : "+" + weighting.configName());
      }

      /** The configuration with this variant's sharing, fusion and weighting. */
      MtlConfig of(MtlConfig config) {
        return config
            .withModel(config.model().with(fusion, sharing))
            .withTrain(
                weighting == null ? config.train() : config.train().withWeighting(weighting));
      }

      /** What stops this variant of {@code config} from being trained; empty when nothing does. */
      List<String> problems(MtlConfig config) {
        return of(config).problems();
      }

      /**
       * The variant a {@code --models} name stands for ({@code sharing+fusion[+weighting]}), or
       * null when it names none.
       */
      static Variant parse(String name) {
        String[] parts = name.split("\\+");
        if (parts.length < 2 || parts.length > 3) {
          return null;
        }
        try {
          return new Variant(
              ModelConfig.Sharing.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT)),
              ModelConfig.Fusion.valueOf(parts[1].toUpperCase(java.util.Locale.ROOT)),
              parts.length == 3
                  ? TrainConfig.Weighting.valueOf(parts[2].toUpperCase(java.util.Locale.ROOT))
                  : null);
        } catch (IllegalArgumentException e) {
          return null;
        }
      }
    }

    /** The shared model always trained (its baselines and ablation are reported). */
    static final Variant HARD_CONCAT =
        new Variant(ModelConfig.Sharing.HARD, ModelConfig.Fusion.CONCAT, null);

    /** The name of the single-task models in tables and {@code --models}. */
    static final String SINGLE = "single-task";

    /** Whether {@code --models} asks for the single-task models. */
    boolean singleTask() {
      return models.contains(SINGLE);
    }

    /** The shared models to train: hard+concat, then the others {@code --models} names, in order. */
    List<Variant> variants() {
      List<Variant> out = new ArrayList<>(List.of(HARD_CONCAT));
      for (String m : models) {
        Variant v = Variant.parse(m);
        if (v != null && !out.contains(v)) {
          out.add(v);
        }
      }
      return out;
    }

    /** The peers asked for, in table order; empty for {@code --peers none}. */
    List<String> peerNames() {
      return peers.equals(List.of("none"))
          ? List.of()
          : PeerModels.ALL.stream().filter(peers::contains).toList();
    }

    PeerSettings peerSettings() {
      return new PeerSettings(
          gbtIter, gbtDepth, gbtStep, gbtSubsample, linearL2, linearIter, peerWords);
    }

    private static String names(Enum<?>[] values) {
      return java.util.Arrays.stream(values)
          .map(e -> e.name().toLowerCase(java.util.Locale.ROOT))
          .collect(java.util.stream.Collectors.joining("|"));
    }

    @Override
    protected List<String> extraOverrides() {
      List<String> o = new ArrayList<>();
      if (data == null) {
        o.add("generate.rows=" + rows);
      }
      if (!peerNames().isEmpty()) {
        // The peers learn from the examples prep writes beside its batches.
        o.add("prep.writeExamples=true");
      }
      return o;
    }

    @Override
    protected void validate(MtlConfig config) {
      if (config.tasks().size() < 2 && singleTask()) {
        throw new CommandException(
            ExitCodes.USAGE,
            "bench quality compares sharing with single tasks: configure at least two tasks, "
                + "or leave single-task out of --models");
      }

      for (String p : peers) {
        if (!PeerModels.ALL.contains(p) && !(p.equals("none") && peers.size() == 1)) {
          throw new CommandException(
              ExitCodes.USAGE, "--peers: unknown peer " + p + " (gbt, linear; or none alone)");
        }
      }
      for (String m : models) {
        if (!m.equals(SINGLE) && Variant.parse(m) == null) {
          throw new CommandException(
              ExitCodes.USAGE,
              "--models: unknown model "
                  + m
                  + " (single-task, or sharing+fusion[+weighting]: sharing "
                  + names(ModelConfig.Sharing.values())
                  + ", fusion "
                  + names(ModelConfig.Fusion.values())
                  + ", weighting "
                  + names(TrainConfig.Weighting.values())
                  + ")");
        }
        Variant v = Variant.parse(m);
        if (v != null
            && v.weighting() != null
            && v.weighting().perStep()
            && config.train().engine() != TrainConfig.Engine.RESIDENT) {
          throw new CommandException(
              ExitCodes.USAGE,
              "--models: "
                  + m
                  + " needs train.engine: resident (its weighting acts at every step)");
        }
        List<String> problems = v == null ? List.of() : v.problems(config);
        if (!problems.isEmpty()) {
          throw new CommandException(
              ExitCodes.USAGE,
              "--models: "
                  + m
                  + " cannot be built from this configuration: "
                  + String.join("; ", problems));
        }
      }
      if (seeds < 1) {
        throw new CommandException(ExitCodes.USAGE, "--seeds must be at least 1");
      }
      try {
        peerSettings();
      } catch (IllegalArgumentException e) {
        throw new CommandException(ExitCodes.USAGE, "peer settings: " + e.getMessage());
      }
    }

    @Override
    protected int run(MtlConfig config, SparkSession spark) throws IOException {
      Trained trained = trainAll(config, spark);
      Compared compared = compare(config, spark, trained);
      if (out != null) {
        writeResults(config, spark, trained, compared);
      }
      return ExitCodes.OK;
    }

    /**
     * The models trained: single-task ones, then each shared variant, then the peers; per model the
     * test metrics of each seed's run; the first seed's hard-sharing report (for its ablation); and
     * the seconds each peer took over all tasks and seeds.
     */
    private record Trained(
        List<String> models,
        List<String> peers,
        Map<String, List<Map<String, TaskMetrics>>> metrics,
        EvaluateJob.Report hard,
        List<TaskEncoding> sharedTasks,
        String sharedPrep,
        Map<String, Double> peerSeconds) {

      /** A model's figure of {@code metric} on a task over the seeds. */
      Spread spread(String model, String task, String metric) {
        return Spread.of(
            metrics.get(model).stream().map(m -> m.get(task).metrics().get(metric)).toList());
      }
    }

    /** The configuration with the run's seed replaced. */
    private static MtlConfig seeded(MtlConfig c, long seed) {
      return c.withRun(new RunConfig(c.run().name(), seed));
    }

    /** A run folder's name suffix for the i-th seed: none for the first. */
    private static String seedSuffix(int i) {
      return i == 0 ? "" : "-seed" + i;
    }

    /**
     * Prepares the data once for all tasks and once per task, trains every model on it with each
     * seed, then fits and scores the peers on the shared preparation.
     */
    private Trained trainAll(MtlConfig config, SparkSession spark) throws IOException {
      String raw = data;
      if (raw != null && !HadoopFiles.exists(spark.sparkContext().hadoopConfiguration(), raw)) {
        throw new CommandException(ExitCodes.USAGE, "--data " + raw + " does not exist");
      }
      clearScratch(spark, work());
      if (raw == null) {
        raw = work() + "/data";
        new GenerateJob(spark).run(config, raw);
      }
      String sharedPrep = work() + "/prep-all";
      var sharedTasks = new PrepJob(spark).run(config, raw, sharedPrep).featurizers().tasks();
      long seed0 = config.run().seed();

      List<String> models = new ArrayList<>();
      Map<String, List<Map<String, TaskMetrics>>> metrics = new LinkedHashMap<>();
      List<Map<String, TaskMetrics>> single = new ArrayList<>();
      for (int s = 0; s < seeds; s++) {
        single.add(new LinkedHashMap<>());
      }
      for (TaskConfig task : singleTask() ? config.tasks() : List.<TaskConfig>of()) {
        MtlConfig alone = config.withTasks(List.of(task));
        String prep = work() + "/prep-" + task.name();
        new PrepJob(spark).run(alone, raw, prep);
        for (int s = 0; s < seeds; s++) {
          LOG.info("bench quality: single-task model of {}, seed {}", task.name(), seed0 + s);
          single
              .get(s)
              .put(
                  task.name(),
                  trainAndEvaluate(
                          spark, seeded(alone, seed0 + s), prep, task.name() + seedSuffix(s))
                      .tasks()
                      .get(task.name()));
        }
      }
      if (singleTask()) {
        models.add(SINGLE);
        metrics.put(SINGLE, single);
      }
      EvaluateJob.Report hard = null;
      for (Variant v : variants()) {
        MtlConfig variant = v.of(config);
        List<Map<String, TaskMetrics>> runs = new ArrayList<>();
        for (int s = 0; s < seeds; s++) {
          LOG.info("bench quality: shared model {}, seed {}", v.name(), seed0 + s);
          EvaluateJob.Report report =
              trainAndEvaluate(
                  spark, seeded(variant, seed0 + s), sharedPrep, v.name() + seedSuffix(s));
          hard = hard == null ? report : hard;
          runs.add(report.tasks());
        }
        models.add(v.name());
        metrics.put(v.name(), runs);
      }

      Map<String, Double> peerSeconds = new LinkedHashMap<>();
      List<String> peerNames = peerNames();
      if (!peerNames.isEmpty()) {
        try (PeerModels peerModels = new PeerModels(spark, sharedPrep, "test", peerSettings())) {
          for (String peer : peerNames) {
            long started = System.nanoTime();
            List<Map<String, TaskMetrics>> runs = new ArrayList<>();
            for (int s = 0; s < seeds; s++) {
              LOG.info("bench quality: peer {}, seed {}", peer, seed0 + s);
              runs.add(peerModels.evaluate(peer, seed0 + s));
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            peerSeconds.put(peer, seconds);
            System.out.printf(
                "Peer %s: %d task(s) x %d seed(s) fitted and scored in %.1f s%n",
                peer, config.tasks().size(), seeds, seconds);
            metrics.put(peer, runs);
          }
        }
      }
      return new Trained(models, peerNames, metrics, hard, sharedTasks, sharedPrep, peerSeconds);
    }

    /** The cell of a figure over the seeds: the mean, or the mean +- sd as text with several seeds. */
    private Object cell(Spread s) {
      return seeds > 1 ? s.format(4) : (Object) round(s.mean(), 4);
    }

    /** The rows of the printed table, one per task, and each model's Delta-m. */
    private record Compared(List<Map<String, Object>> results, Map<String, Spread> deltaM) {}

    /** Prints the table of every task's test metric per model; returns its rows and Delta-m. */
    private Compared compare(MtlConfig config, SparkSession spark, Trained trained)
        throws IOException {
      List<String> models = trained.models();
      List<String> columns = new ArrayList<>(models);
      columns.addAll(trained.peers());
      boolean gbt = trained.peers().contains(PeerModels.GBT);
      var hard = trained.hard();
      var sharedTasks = trained.sharedTasks();
      String sharedPrep = trained.sharedPrep();
      int width = seeds > 1 ? 19 : 12;
      StringBuilder table =
          new StringBuilder(
              String.format(
                  "%nQuality: %d tasks, %s, test split, %s; soft sharing mu %s%s%s%n",
                  config.tasks().size(),
                  data == null ? rows + " generated records" : "data " + data,
                  seeds > 1
                      ? "mean +- standard deviation over " + seeds + " seeds"
                      : "seed " + config.run().seed(),
                  config.model().softSharingMu(),
                  singleTask()
                      ? ". Column shared: hard+concat against single-task (positive: sharing is better)"
                      : "",
                  gbt
                      ? "; column ours-vs-gbt: our best model against gbt (positive: ours is better)"
                      : ""));
      table.append(String.format("%-12s %-9s %10s", "task", "metric", "baseline"));
      columns.forEach(m -> table.append(String.format(" %" + width + "s", m)));
      if (singleTask()) {
        table.append(String.format(" %10s", "shared"));
      }
      table.append(gbt ? String.format(" %12s%n", "ours-vs-gbt") : String.format("%n"));
      List<Map<String, Object>> results = new ArrayList<>();
      for (TaskConfig task : config.tasks()) {
        // The first shared variant (hard sharing, concatenation) is the one compared with
        // single-task.
        var sh = hard.tasks().get(task.name());
        TaskEncoding encoding =
            sharedTasks.stream()
                .filter(t -> t.name().equals(task.name()))
                .findFirst()
                .orElseThrow();
        String metric = sh.primaryMetric();
        double base = sh.baseline().get(metric);
        table.append(String.format("%-12s %-9s %10.4f", task.name(), metric, base));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("task", task.name());
        r.put("metric", metric);
        r.put("baseline", base);
        Map<String, Long> examples = new LinkedHashMap<>();
        for (String m : columns) {
          if (!encoding.recordLabels() && trained.peers().contains(m)) {
            // The peers fit one label per row: a token or retrieval task has none for them.
            table.append(String.format(" %" + width + "s", "-"));
            continue;
          }
          Spread s = trained.spread(m, task.name(), metric);
          table.append(String.format(" %" + width + "s", s.format(4)));
          r.put(m, s.mean());
          if (seeds > 1) {
            r.put(m + " sd", s.sd());
          }
          examples.put(m, trained.metrics().get(m).get(0).get(task.name()).examples());
        }
        r.put("examples", examples);
        if (singleTask()) {
          double a = trained.spread(SINGLE, task.name(), metric).mean();
          double b = trained.spread(HARD_CONCAT.name(), task.name(), metric).mean();
          // Positive when sharing is better, whichever way the metric points.
          double better = Metric.betterBy(metric, b, a);
          table.append(String.format(" %+9.1f%%", 100 * better));
          r.put("sharedBetterBy", better);
        }
        if (gbt && !encoding.recordLabels()) {
          table.append(String.format(" %12s", "-"));
        } else if (gbt) {
          String best = models.get(0);
          for (String m : models) {
            if (Metric.of(metric)
                .isBetter(
                    trained.spread(m, task.name(), metric).mean(),
                    trained.spread(best, task.name(), metric).mean())) {
              best = m;
            }
          }
          double vsGbt =
              Metric.betterBy(
                  metric,
                  trained.spread(best, task.name(), metric).mean(),
                  trained.spread(PeerModels.GBT, task.name(), metric).mean());
          table.append(String.format(" %+11.1f%%", 100 * vsGbt));
          r.put("bestModel", best);
          r.put("bestBetterThanGbtBy", vsGbt);
        }
        table.append(String.format("%n"));
        if (metric.equals(Metric.MACRO_F1.id()) && sh.confusion() != null) {
          chanceLine(encoding, sh.confusion(), columns, trained, table, r);
        }
        if (task.type() == TaskConfig.TaskType.REGRESSION && config.data().key().size() > 1) {
          var bias =
              KeyBiasBaseline.evaluate(
                  spark,
                  sharedPrep,
                  encoding,
                  config.data().key(),
                  "test",
                  KeyBiasBaseline.DEFAULT_LAMBDA);
          r.put("keyBiasBaseline", bias.rmse());
          table.append(
              String.format(
                  "%-12s %-9s %10.4f   (mean + a bias per %s, lambda %.0f, fitted on train)%n",
                  "",
                  "rmse",
                  bias.rmse(),
                  String.join(" and ", config.data().key()),
                  KeyBiasBaseline.DEFAULT_LAMBDA));
        }
        results.add(r);
      }
      trained
          .peerSeconds()
          .forEach(
              (peer, s) ->
                  table.append(
                      String.format(
                          "Peer %s took %.1f s (all tasks, %d seed(s)): %s%n",
                          peer, s, seeds, peerSettings().describe(peer))));
      Map<String, Spread> deltaM = deltaM(trained, results);
      if (!deltaM.isEmpty()) {
        table.append(
            String.format(
                "%nDelta-m against single-task (the mean over the tasks of each model's relative"
                    + " gain over the single-task model, signed by the metric's direction; positive:"
                    + " better than training each task alone)%s:%n",
                seeds > 1 ? ", mean +- standard deviation over " + seeds + " seeds" : ""));
        deltaM.forEach(
            (model, d) ->
                table.append(
                    String.format(
                        "%-16s %+8.2f%%%s%n",
                        model,
                        100 * d.mean(),
                        seeds > 1 ? String.format(" +- %.2f%%", 100 * d.sd()) : "")));
      }
      table
          .append(
              String.format(
                  "%nAblation of the hard+concat model (test split, each modality removed in turn):%n"))
          .append(EvaluateJob.ablationTable(hard));
      System.out.println(table);
      return new Compared(results, deltaM);
    }

    /**
     * Delta-m ({@link DeltaM}) of every model but the single-task ones, against the single-task
     * models' mean over the seeds, on each task's primary metric; empty without single-task models.
     */
    private Map<String, Spread> deltaM(Trained trained, List<Map<String, Object>> results) {
      Map<String, Spread> out = new LinkedHashMap<>();
      if (!singleTask()) {
        return out;
      }
      Map<String, String> metrics = new LinkedHashMap<>();
      Map<String, Double> reference = new LinkedHashMap<>();
      for (Map<String, Object> r : results) {
        String task = (String) r.get("task");
        String metric = (String) r.get("metric");
        metrics.put(task, metric);
        reference.put(task, trained.spread(SINGLE, task, metric).mean());
      }
      List<String> models = new ArrayList<>(trained.models());
      models.addAll(trained.peers());
      models.remove(SINGLE);
      for (String m : models) {
        if (trained.metrics().get(m).stream()
            .anyMatch(run -> !run.keySet().containsAll(metrics.keySet()))) {
          continue; // a peer without the token tasks: no Delta-m over every task
        }
        List<Map<String, Double>> runs = new ArrayList<>();
        for (Map<String, TaskMetrics> run : trained.metrics().get(m)) {
          Map<String, Double> figures = new LinkedHashMap<>();
          metrics.forEach((task, metric) -> figures.put(task, run.get(task).metrics().get(metric)));
          runs.add(figures);
        }
        out.put(m, DeltaM.over(metrics, reference, runs));
      }
      return out;
    }

    /**
     * The line under a macro-F1 task's row: what a random guess by the training class shares
     * scores ({@link ChanceLevel}) and which models beat it; none means no model learnt the task.
     */
    private static void chanceLine(
        TaskEncoding task,
        List<List<Long>> confusion,
        List<String> columns,
        Trained trained,
        StringBuilder table,
        Map<String, Object> result) {
      if (task.classCounts().size() != confusion.size()) {
        return;
      }
      double chance = ChanceLevel.macroF1(task.classCounts(), confusion);
      List<String> beating =
          columns.stream()
              .filter(m -> trained.spread(m, task.name(), Metric.MACRO_F1.id()).mean() > chance)
              .toList();
      result.put("chanceMacroF1", chance);
      table.append(
          String.format(
              "%-12s %-9s %10.4f   (a random guess by the training class shares; %s)%n",
              "",
              Metric.MACRO_F1.id(),
              chance,
              beating.isEmpty()
                  ? "no model beats it: nothing here learnt this task"
                  : "beaten by " + String.join(", ", beating)));
    }

    /** Writes the results file of the suite: the table, the ablation and the notes. */
    private void writeResults(
        MtlConfig config, SparkSession spark, Trained trained, Compared compared)
        throws IOException {
      List<Map<String, Object>> results = compared.results();
      List<String> models = new ArrayList<>(trained.models());
      models.addAll(trained.peers());
      boolean gbt = trained.peers().contains(PeerModels.GBT);
      var hard = trained.hard();
      List<String> columns = new ArrayList<>(List.of("task", "metric", "trivial baseline"));
      columns.addAll(models);
      if (singleTask()) {
        columns.add("hard+concat vs single-task");
      }
      if (gbt) {
        columns.add("best ours vs gbt");
      }
      BenchResults.Table t =
          new BenchResults.Table(
              "Test metric per task and model ("
                  + (data == null ? rows + " generated records" : "data " + data)
                  + (seeds > 1 ? "; mean +- standard deviation over " + seeds + " seeds" : "")
                  + ")",
              columns,
              new ArrayList<>());
      for (Map<String, Object> r : results) {
        String task = (String) r.get("task");
        String metric = (String) r.get("metric");
        List<Object> row =
            new ArrayList<>(List.of(task, metric, round((double) r.get("baseline"), 4)));
        for (String m : models) {
          // A peer has no figure for a token task (r holds none for it).
          row.add(r.containsKey(m) ? cell(trained.spread(m, task, metric)) : "-");
        }
        if (singleTask()) {
          row.add(String.format("%+.1f%%", 100 * (double) r.get("sharedBetterBy")));
        }
        if (gbt && !r.containsKey("bestBetterThanGbtBy")) {
          row.add("-");
        } else if (gbt) {
          row.add(
              String.format(
                  "%+.1f%% (%s)", 100 * (double) r.get("bestBetterThanGbtBy"), r.get("bestModel")));
        }
        t.rows().add(row);
      }
      BenchResults.Table ablation =
          new BenchResults.Table(
              "Ablation of hard+concat: each task's test metric " + "with one modality removed",
              "modality removed",
              "task",
              "metric",
              "all modalities",
              "without",
              "change");
      var full = hard;
      full.ablation()
          .forEach(
              (modality, without) ->
                  without.forEach(
                      (task, v) -> {
                        var m = full.tasks().get(task);
                        double all = m.metrics().get(m.primaryMetric());
                        ablation.row(
                            modality,
                            task,
                            m.primaryMetric(),
                            round(all, 4),
                            round(v, 4),
                            String.format("%+.1f%%", 100 * (v - all) / Math.abs(all)));
                      }));
      Map<String, Spread> deltaM = compared.deltaM();
      BenchResults.Table delta =
          new BenchResults.Table(
              "Delta-m against single-task: the mean over the tasks of the relative gain over the "
                  + "single-task model, signed by each metric's direction (positive: sharing helps)",
              "model",
              "Delta-m %",
              "sd over seeds %");
      deltaM.forEach(
          (model, d) -> delta.row(model, round(100 * d.mean(), 2), round(100 * d.sd(), 2)));
      List<String> notes = new ArrayList<>();
      results.stream()
          .filter(r -> r.containsKey("keyBiasBaseline"))
          .forEach(
              r ->
                  notes.add(
                      "Task "
                          + r.get("task")
                          + ": mean + a bias per "
                          + String.join(" and ", config.data().key())
                          + " (ridge, fitted on train) reaches "
                          + String.format("%.4f", (double) r.get("keyBiasBaseline"))
                          + " "
                          + r.get("metric")
                          + "."));
      for (String peer : trained.peers()) {
        notes.add(
            "Peer "
                + peerSettings().describe(peer)
                + String.format(
                    "; fitted on the prepared training examples (tabular as is, text as a bag of word "
                        + "counts, image pixels, presence flags), scored on the same test rows by the same "
                        + "metric code; %.1f s for all tasks and %d seed(s).",
                    trained.peerSeconds().get(peer), seeds));
      }
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("data", data == null ? "generated" : data);
      details.put("records", data == null ? rows : hard.examples());
      details.put("models", models);
      details.put("seeds", seeds);
      details.put("peerSettings", peerSettings());
      details.put("peerSeconds", trained.peerSeconds());
      details.put("results", results);
      details.put("ablation", hard.ablation());
      Map<String, Map<String, Double>> deltaDetails = new LinkedHashMap<>();
      deltaM.forEach((model, d) -> deltaDetails.put(model, Map.of("mean", d.mean(), "sd", d.sd())));
      details.put("deltaM", deltaDetails);
      BenchResults.of(
              spark,
              "Model quality: shared against single-task models and peers",
              "per task, the trivial baseline (training mean, or most frequent class, or 0.5 AUC), one model per "
                  + "task trained alone on the same data and split, and the peers (gradient-boosted trees, "
                  + "linear models) fitted on the same prepared examples",
              deltaM.isEmpty() ? List.of(t, ablation) : List.of(t, delta, ablation),
              notes,
              details)
          .write(spark, out);
    }

    private EvaluateJob.Report trainAndEvaluate(
        SparkSession spark, MtlConfig config, String prep, String name) throws IOException {
      String run = work() + "/run-" + name;
      new TrainJob(spark).run(config, prep, run);
      return new EvaluateJob(spark)
          .run(run, prep, "test", TrainingWorkers.resolve(spark, config.train()));
    }
  }

  @Command(
      name = "prep",
      mixinStandardHelpOptions = true,
      description =
          "Prep at scale, in one process: the built-in data without images at each size; times a bare "
              + "Spark SQL full outer join of the same sources written as Parquet, then prep; prints source rows per "
              + "second, the ratio of prep to the join and the driver's peak heap during each. An untimed round "
              + "at --warmup records runs first.")
  static final class Prep extends BenchCommand.Base {
    @Override
    String name() {
      return "prep";
    }

    @Option(
        names = "--records",
        split = ",",
        defaultValue = "100000,1000000",
        paramLabel = "N",
        description = "Data sizes in records (default: ${DEFAULT-VALUE}).")
    List<Long> records;

    @Option(
        names = "--warmup",
        defaultValue = "20000",
        paramLabel = "N",
        description =
            "Records of an untimed first round of both, so that neither is timed on a cold JVM; "
                + "0 skips it (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Override
    protected void validate(MtlConfig config) {
      if (records.stream().anyMatch(n -> n < 100)) {
        throw new CommandException(ExitCodes.USAGE, "--records: each size must be at least 100");
      }
      if (warmup != 0 && warmup < 100) {
        throw new CommandException(ExitCodes.USAGE, "--warmup: 0, or at least 100 records");
      }
    }

    @Override
    protected int run(MtlConfig config, SparkSession spark) throws IOException {
      clearScratch(spark, work());
      PrepBenchmark bench = new PrepBenchmark(spark);
      List<PrepBenchmark.Result> results = new ArrayList<>();
      if (warmup > 0) {
        bench.run(config, warmup, work() + "/warmup");
      }
      for (long n : records) {
        results.add(bench.run(config, n, work()));
      }
      BenchResults.Table t =
          new BenchResults.Table(
              String.format(
                  "Prep against a bare Spark SQL join of the same "
                      + "sources (built-in data without images; %s, %d cores, driver heap max %d MB)",
                  spark.sparkContext().master(),
                  Runtime.getRuntime().availableProcessors(),
                  Runtime.getRuntime().maxMemory() >> 20),
              "records",
              "source rows",
              "join s",
              "prep s",
              "prep/join",
              "prep rows/s",
              "join peak heap MB",
              "prep peak heap MB");
      for (var r : results) {
        t.row(
            r.records(),
            r.sourceRows(),
            round(r.joinSeconds(), 1),
            round(r.prepSeconds(), 1),
            round(r.ratio(), 2),
            Math.round(r.prepRowsPerSecond()),
            r.joinPeakHeapMB(),
            r.prepPeakHeapMB());
      }
      System.out.println(BenchSummaryCommand.text(t));
      if (out != null) {
        BenchResults.of(
                spark,
                "Data preparation at scale",
                "a bare Spark SQL full outer join of the same sources on the key, written as Parquet, timed in the same "
                    + "process just before prep",
                List.of(t),
                List.of("Peak heap is the driver JVM's; in local mode the executors share it."),
                results)
            .write(spark, out);
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Training speed, quality and time to quality: (a) one plain fit loop, no Spark; (b) dl4j-spark's "
              + "ParameterAveragingTrainingMaster; (c) our resident parameter averaging; (s) the same reading its batches from the files every round; (d) N plain loops on disjoint "
              + "shares in N threads; (e) N plain loops in N JVMs (the machine's ceiling); (p) PyTorch in one process "
              + "and (q) DistributedDataParallel in N processes (seed workload; skipped with a message where no "
              + "Python with torch is found). Prints examples/s, per-task metrics, seconds to (a)'s quality and ratios.")
  static final class Train extends BenchCommand.Base {
    @Override
    String name() {
      return "train";
    }

    @Option(
        names = "--workloads",
        split = ",",
        defaultValue = "seed,multimodal",
        paramLabel = "NAME",
        description = "seed and/or multimodal (default: ${DEFAULT-VALUE}).")
    List<String> workloads;

    @Option(
        names = "--phases",
        split = ",",
        defaultValue = TrainingBenchmark.PHASE_LIST,
        paramLabel = "ID",
        description =
            "Which of the phases to run; s is (c) streaming its batches from the files (default, "
                + "all of them: ${DEFAULT-VALUE}).")
    List<String> phases;

    @Option(
        names = "--seed-rows",
        defaultValue = "204800",
        description = "Rows of the seed workload (default: ${DEFAULT-VALUE}).")
    int seedRows;

    @Option(
        names = "--multimodal-rows",
        defaultValue = "20000",
        description = "Records of the multimodal workload (default: ${DEFAULT-VALUE}).")
    long multimodalRows;

    @Option(
        names = "--epochs",
        defaultValue = "3",
        description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
        names = "--workers",
        defaultValue = "2",
        description = "N: workers and threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(
        names = "--averaging",
        split = ",",
        defaultValue = "200",
        description =
            "Batches per worker between averaging rounds of (c); several (e.g. 8,32,200) run (c) "
                + "once for each, as c@8, c@32, ... (default: ${DEFAULT-VALUE}); (b) keeps dl4j-spark's default.")
    List<Integer> averaging;

    @Option(
        names = "--plain-threads",
        defaultValue = "1",
        description =
            "Native threads of the plain loop (a) and the loops of (d) (default: ${DEFAULT-VALUE}; "
                + "faster than ND4J's default of one per core on both workloads on 2 cores).")
    int plainThreads;

    @Option(
        names = "--repeats",
        defaultValue = "3",
        description =
            "Runs of each phase, with training seeds run.seed, run.seed + 1, ...; the table shows the "
                + "mean rate and each metric's mean +- standard deviation (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Override
    protected List<String> extraOverrides() {
      return List.of("generate.rows=" + multimodalRows, "prep.partitions=" + workers);
    }

    @Override
    protected void validate(MtlConfig config) {
      for (String id : phases) {
        if (!TrainingBenchmark.PHASES.contains(id)) {
          throw new CommandException(
              ExitCodes.USAGE,
              "--phases: unknown phase " + id + " (" + TrainingBenchmark.PHASE_LIST + ")");
        }
      }
      for (String name : workloads) {
        if (!List.of("seed", "multimodal").contains(name)) {
          throw new CommandException(
              ExitCodes.USAGE, "--workloads: unknown workload " + name + " (seed, multimodal)");
        }
      }
      if (repeats < 1
          || epochs < 1
          || workers < 1
          || plainThreads < 1
          || averaging.stream().anyMatch(k -> k < 1)) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--repeats, --epochs, --workers, --plain-threads and --averaging must be at least 1");
      }
    }

    @Override
    protected int run(MtlConfig config, SparkSession spark) throws IOException {
      clearScratch(spark, work());
      TrainingBenchmark bench =
          new TrainingBenchmark(
              JavaSparkContext.fromSparkContext(spark.sparkContext()),
              workers,
              epochs,
              averaging,
              config.run().seed(),
              repeats,
              plainThreads);
      Map<String, Object> results = new LinkedHashMap<>();
      results.put(
          "machine",
          Map.of(
              "cores",
              Runtime.getRuntime().availableProcessors(),
              "maxHeapMB",
              Runtime.getRuntime().maxMemory() >> 20,
              "master",
              spark.sparkContext().master(),
              "OMP_NUM_THREADS",
              String.valueOf(System.getenv("OMP_NUM_THREADS"))));
      results.put(
          "settings",
          Map.of(
              "epochs",
              epochs,
              "workers",
              workers,
              "averagingFrequency",
              averaging,
              "plainThreads",
              plainThreads,
              "repeats",
              repeats,
              "seed",
              config.run().seed()));
      StringBuilder table = new StringBuilder();
      List<BenchResults.Table> tables = new ArrayList<>();
      // Qualified, so that executors in JVMs of their own (another working folder) find the
      // batch files of a relative --work.
      org.apache.hadoop.fs.Path scratch = new org.apache.hadoop.fs.Path(work());
      String base =
          scratch
              .getFileSystem(spark.sparkContext().hadoopConfiguration())
              .makeQualified(scratch)
              .toString();
      for (String name : workloads) {
        Workload w =
            switch (name) {
              case "seed" ->
                  SeedWorkload.create(
                      seedRows,
                      32,
                      config.run().seed(),
                      base + "/seed",
                      spark.sparkContext().hadoopConfiguration());
              case "multimodal" -> MultimodalWorkload.create(spark, config, base + "/multimodal");
              default ->
                  throw new CommandException(
                      ExitCodes.USAGE, "unknown workload " + name + " (seed, multimodal)");
            };
        List<TrainingBenchmark.Phase> result = bench.run(w, phases);
        results.put(
            w.name(),
            Map.of(
                "description",
                w.description(),
                "batchSize",
                w.batchSize(),
                "trainExamples",
                w.trainExamples(),
                "phases",
                result));
        BenchResults.Table t = resultsTable(w, result);
        tables.add(t);
        table.append(BenchSummaryCommand.text(t));
        table.append(torchRatios(result));
      }
      System.out.println(table);
      if (out != null) {
        BenchResults.of(
                spark,
                "Training speed",
                "(a) one plain fit loop without Spark, run in the same process; (e) N plain "
                    + "loops on disjoint shares in N JVMs at once, the machine's N-worker ceiling",
                tables,
                List.of(),
                results)
            .write(spark, out);
      }
      return ExitCodes.OK;
    }

    private BenchResults.Table resultsTable(Workload w, List<TrainingBenchmark.Phase> phases) {
      double a = rate(phases, "a");
      double e = rate(phases, "e");
      BenchResults.Table t =
          new BenchResults.Table(
              "Workload "
                  + w.name()
                  + ": "
                  + w.description()
                  + "; batch "
                  + w.batchSize()
                  + ", "
                  + epochs
                  + " epochs, "
                  + w.trainExamples()
                  + " training examples, "
                  + workers
                  + " workers, mean of "
                  + repeats
                  + " run(s)",
              "run",
              "examples/s",
              "vs (a)",
              "vs (e)",
              "seconds",
              "s to (a)'s quality (runs that reached it)",
              "holdout metrics");
      for (TrainingBenchmark.Phase p : phases) {
        if (!p.ran()) {
          t.row("(" + p.id() + ") " + p.description(), "-", "-", "-", "-", "-", "-");
          continue;
        }
        List<String> m = new ArrayList<>();
        p.metrics()
            .forEach(
                (k, v) ->
                    m.add(
                        repeats > 1
                            ? String.format("%s %.4f +- %.4f", k, v, p.metricsSd().get(k))
                            : String.format("%s %.4f", k, v)));
        t.row(
            "(" + p.id() + ") " + p.description(),
            Math.round(p.examplesPerSecond()),
            round(p.examplesPerSecond() / a, 2),
            round(p.examplesPerSecond() / e, 2),
            round(p.seconds(), 1),
            Double.isNaN(p.secondsToQuality())
                ? "-"
                : Double.isInfinite(p.secondsToQuality())
                    ? "not reached (" + p.reached() + ")"
                    : round(p.secondsToQuality(), 1) + " (" + p.reached() + ")",
            String.join(", ", m));
      }
      return t;
    }

    /** The ratios to the PyTorch peer, where it ran: (a) to (p) and (c) to (q). */
    static String torchRatios(List<TrainingBenchmark.Phase> phases) {
      StringBuilder out = new StringBuilder();
      double p = rate(phases, "p");
      double q = rate(phases, "q");
      if (!Double.isNaN(p) && !Double.isNaN(rate(phases, "a"))) {
        out.append(String.format("(a) / PyTorch one process (p): %.3f%n", rate(phases, "a") / p));
      }
      if (!Double.isNaN(q)) {
        for (TrainingBenchmark.Phase c : phases) {
          if (c.id().startsWith("c") && c.ran()) {
            out.append(
                String.format("(%s) / PyTorch DDP (q): %.3f%n", c.id(), c.examplesPerSecond() / q));
          }
        }
      }
      return out.toString();
    }

    private static double rate(List<TrainingBenchmark.Phase> phases, String id) {
      return phases.stream()
          .filter(p -> p.id().equals(id))
          .mapToDouble(TrainingBenchmark.Phase::examplesPerSecond)
          .findFirst()
          .orElse(Double.NaN);
    }
  }
}
