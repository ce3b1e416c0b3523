package org.mtlspark.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.driver.CommandException;
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.train.DriverAllocation;
import org.mtlspark.workers.train.DriverTraffic;
import org.mtlspark.workers.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What one averaging round of the resident engine costs against the number of workers and the
 * model's size: seconds per round, bytes the driver receives and bytes it allocates per round, on a small synthetic
 * table (16 numbers, one regression task, batches of 32), one batch per worker per round, Adam.
 * Each cell trains twice, one round and {@code 1 + --rounds} rounds, and reports the difference
 * over {@code --rounds}, so that building the workers' networks is not counted (after one untimed
 * run, so that no cell meets a cold JVM). A linear cost
 * model fitted to the cells gives the round at 100 and 1,000 workers.
 */
@Command(
    name = "rounds",
    mixinStandardHelpOptions = true,
    description =
        "Cost of an averaging round of the resident engine against workers and model size: seconds, "
            + "driver bytes received and allocated per round on a synthetic table, and a cost model"
            + " fitted to them.")
final class BenchRoundsCommand extends BenchCommand.Base {
  @Override
  String name() {
    return "rounds";
  }

  @Option(
      names = "--workers",
      split = ",",
      defaultValue = "2,4,8,16,32",
      paramLabel = "N",
      description = "Worker counts (default: ${DEFAULT-VALUE}); more than the cores is allowed.")
  List<Integer> workers;

  @Option(
      names = "--params",
      split = ",",
      defaultValue = "10000,100000,1000000",
      paramLabel = "N",
      description =
          "Model sizes in parameters, approximately: a trunk of two layers of sqrt(N / 2) units "
              + "(default: ${DEFAULT-VALUE}).")
  List<Integer> params;

  @Option(
      names = "--rounds",
      defaultValue = "4",
      paramLabel = "N",
      description = "Rounds timed per cell (default: ${DEFAULT-VALUE}).")
  int rounds;

  static final int BATCH = 32;
  static final int COLUMNS = 16;

  @Override
  protected void validate(MtlConfig config) {
    if (workers.stream().anyMatch(w -> w < 1) || params.stream().anyMatch(p -> p < 100)) {
      throw new CommandException(
          ExitCodes.USAGE, "--workers: at least 1 each; --params: at least 100 each");
    }
    if (rounds < 1) {
      throw new CommandException(ExitCodes.USAGE, "--rounds must be at least 1");
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    BenchCommand.clearScratch(spark, work());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    FeaturizerState state = state();
    int most = workers.stream().mapToInt(Integer::intValue).max().orElseThrow();
    List<String> batches = pack(spark, state, most * (rounds + 1));
    BenchResults.Table table =
        new BenchResults.Table(
            "One averaging round: one batch of "
                + BATCH
                + " per worker, Adam, "
                + spark.sparkContext().defaultParallelism()
                + " cores",
            "parameters",
            "workers",
            "s per round",
            "driver KB per round",
            "driver KB per round / state KB",
            "driver MB allocated per round");
    List<double[]> cells = new ArrayList<>();
    List<Map<String, Object>> details = new ArrayList<>();
    // Per requested size, the parameters the network built for it has.
    Map<Integer, Long> measured = new LinkedHashMap<>();
    // An untimed run first, so that no cell is timed on a cold JVM.
    int fewest = workers.stream().mapToInt(Integer::intValue).min().orElseThrow();
    fit(jsc, state, 8, fewest, batches.subList(0, fewest * (rounds + 1)));
    for (int p : params) {
      int width = Math.max(2, (int) Math.round(Math.sqrt(p / 2.0)));
      for (int w : workers) {
        Run one = fit(jsc, state, width, w, batches.subList(0, w));
        Run many = fit(jsc, state, width, w, batches.subList(0, w * (rounds + 1)));
        double seconds = (many.seconds - one.seconds) / rounds;
        double bytes = (many.bytes - one.bytes) / (double) rounds;
        double allocated = (many.allocated - one.allocated) / (double) rounds;
        double stateBytes = 4.0 * (one.params + one.updater);
        table.row(
            one.params,
            w,
            BenchCommand.round(seconds, 3),
            Math.round(bytes / 1024),
            BenchCommand.round(bytes / stateBytes, 2),
            BenchCommand.round(allocated / 1e6, 1));
        cells.add(new double[] {w, one.params, seconds});
        measured.put(p, one.params);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("parameters", one.params);
        d.put("updaterState", one.updater);
        d.put("workers", w);
        d.put("secondsPerRound", seconds);
        d.put("driverBytesPerRound", bytes);
        d.put("driverAllocatedBytesPerRound", allocated);
        details.add(d);
      }
    }
    List<BenchResults.Table> tables = new ArrayList<>(List.of(table));
    List<String> notes =
        new ArrayList<>(
            List.of(
                "Every worker runs in this application's executors: with more workers than cores,"
                    + " a round's time includes the workers' steps one after another; the driver's"
                    + " bytes are the result bytes of the round's tasks; what it allocates is counted"
                    + " on its own threads (in local mode the executors' task threads are left"
                    + " out)."));
    double[] model = null;
    if (workers.stream().distinct().count() > 1 && params.stream().distinct().count() > 1) {
      model = CostModel.fit(cells);
      BenchResults.Table predicted =
          new BenchResults.Table(
              String.format(
                  "Cost model fitted to the cells: s per round = %.4f + %.3g x workers + %.3g x"
                      + " workers x parameters",
                  model[0], model[1], model[2]),
              "parameters",
              "workers",
              "predicted s per round");
      for (long n : measured.values()) {
        for (int w : List.of(100, 1000)) {
          predicted.row(n, w, BenchCommand.round(CostModel.predict(model, w, n), 2));
        }
      }
      tables.add(predicted);
    } else {
      notes.add("No cost model: it needs two worker counts and two model sizes at least.");
    }
    StringBuilder text = new StringBuilder();
    tables.forEach(t -> text.append(BenchSummaryCommand.text(t)));
    notes.forEach(n -> text.append(n).append(System.lineSeparator()));
    System.out.println(text);
    if (out != null) {
      Map<String, Object> all = new LinkedHashMap<>();
      all.put("cells", details);
      all.put("costModel", model);
      BenchResults.of(
              spark,
              "Cost of an averaging round",
              "the state one worker sends (parameters and updater state as floats)",
              tables,
              notes,
              all)
          .write(spark, out);
    }
    return ExitCodes.OK;
  }

  record Run(double seconds, long bytes, long allocated, long params, long updater) {}

  private static Run fit(
      JavaSparkContext jsc, FeaturizerState state, int width, int workers, List<String> batches)
      throws IOException {
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.tabularHidden=[" + width + "]",
                "model.trunk=[" + width + ", " + width + "]",
                "train.engine=resident",
                "train.updater=adam",
                "train.epochs=1",
                "train.averagingFrequency=1",
                "train.workers=" + workers));
    ComputationGraph graph = GraphBuilder.build(state, config.model(), config.train(), 1);
    try (DriverTraffic traffic = DriverTraffic.listen(jsc.sc())) {
      traffic.drain();
      long before = traffic.bytes();
      DriverAllocation allocation = DriverAllocation.start();
      long t0 = System.nanoTime();
      ComputationGraph trained =
          TrainJob.trainer(jsc, config.train(), BATCH, 1).fit(graph, batches, null);
      double seconds = (System.nanoTime() - t0) / 1e9;
      traffic.drain();
      return new Run(
          seconds,
          traffic.bytes() - before,
          allocation.bytes(),
          trained.numParams(),
          trained.getUpdater().getStateViewArray().length());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("Spark's listener bus did not drain", e);
    }
  }

  /** 16 standardized numbers and one regression task. */
  static FeaturizerState state() {
    List<String> columns = new ArrayList<>();
    List<Double> zeros = new ArrayList<>();
    List<Double> ones = new ArrayList<>();
    for (int i = 0; i < COLUMNS; i++) {
      columns.add("t.x" + i);
      zeros.add(0.0);
      ones.add(1.0);
    }
    return FeaturizerState.numbers(
        columns,
        zeros,
        ones,
        List.of(
            new TaskEncoding(
                "y", TaskConfig.TaskType.REGRESSION, "y", 1, List.of(), List.of(), 0, 1, 1)));
  }

  /** {@code n} batches of random rows (y the sum of the numbers), in one pack under the scratch folder. */
  private List<String> pack(SparkSession spark, FeaturizerState state, int n) throws IOException {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path path = new Path(work() + "/data-rounds/batches" + BatchPack.EXTENSION);
    Random r = new Random(1);
    try (BatchPack pack = new BatchPack(path.getFileSystem(conf), path)) {
      for (int b = 0; b < n; b++) {
        List<Example> rows = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
          float[] x = new float[COLUMNS];
          float y = 0;
          for (int j = 0; j < COLUMNS; j++) {
            x[j] = (float) r.nextGaussian();
            y += x[j];
          }
          rows.add(
              new Example(
                  "r" + b + "-" + i,
                  x,
                  new float[0],
                  new float[0],
                  new float[0],
                  new float[] {1},
                  new float[][] {{y / 4}},
                  new float[] {1}));
        }
        pack.add(BatchBuilder.arrays(rows));
      }
    }
    return BatchFiles.references(conf, path.toString());
  }

  /** Least squares of s per round = a + b x workers + c x workers x parameters. */
  static final class CostModel {
    private CostModel() {}

    /** Coefficients a, b, c from cells of (workers, parameters, seconds). */
    static double[] fit(List<double[]> cells) {
      double[][] ata = new double[3][3];
      double[] aty = new double[3];
      for (double[] c : cells) {
        double[] row = {1, c[0], c[0] * c[1]};
        for (int i = 0; i < 3; i++) {
          aty[i] += row[i] * c[2];
          for (int j = 0; j < 3; j++) {
            ata[i][j] += row[i] * row[j];
          }
        }
      }
      return solve(ata, aty);
    }

    static double predict(double[] model, double workers, double parameters) {
      return model[0] + model[1] * workers + model[2] * workers * parameters;
    }

    /** Gaussian elimination with partial pivoting of a small system. */
    static double[] solve(double[][] a, double[] b) {
      int n = b.length;
      double[][] m = new double[n][];
      double[] v = b.clone();
      for (int i = 0; i < n; i++) {
        m[i] = a[i].clone();
      }
      for (int col = 0; col < n; col++) {
        int pivot = col;
        for (int i = col + 1; i < n; i++) {
          if (Math.abs(m[i][col]) > Math.abs(m[pivot][col])) {
            pivot = i;
          }
        }
        double[] t = m[col];
        m[col] = m[pivot];
        m[pivot] = t;
        double tv = v[col];
        v[col] = v[pivot];
        v[pivot] = tv;
        if (Math.abs(m[col][col]) < 1e-300) {
          throw new IllegalArgumentException("the cells do not determine the cost model");
        }
        for (int i = col + 1; i < n; i++) {
          double f = m[i][col] / m[col][col];
          for (int j = col; j < n; j++) {
            m[i][j] -= f * m[col][j];
          }
          v[i] -= f * v[col];
        }
      }
      double[] x = new double[n];
      for (int i = n - 1; i >= 0; i--) {
        double s = v[i];
        for (int j = i + 1; j < n; j++) {
          s -= m[i][j] * x[j];
        }
        x[i] = s / m[i][i];
      }
      return x;
    }
  }
}
