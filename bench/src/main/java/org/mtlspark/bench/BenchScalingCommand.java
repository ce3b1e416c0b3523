package org.mtlspark.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.bench.prep.PrepBenchmark;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.driver.CommandException;
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How cost grows with data (prep and training time at several sizes of the built-in data without
 * images) and what the averaging frequency trades (training speed against test quality).
 */
@Command(
    name = "scaling",
    mixinStandardHelpOptions = true,
    description =
        "Scaling curve and averaging-frequency trade-off on the built-in data without images: prep and "
            + "one training epoch at each size (after an untimed round at the smallest); then training at "
            + "--averaging-records with each averaging frequency, timed and evaluated on the test split.")
final class BenchScalingCommand extends BenchCommand.Base {
  @Override
  String name() {
    return "scaling";
  }

  @Option(
      names = "--records",
      split = ",",
      defaultValue = "10000,100000,300000,1000000",
      paramLabel = "N",
      description = "Data sizes in records (default: ${DEFAULT-VALUE}).")
  List<Long> records;

  @Option(
      names = "--averaging",
      split = ",",
      defaultValue = "1,8,64",
      paramLabel = "BATCHES",
      description =
          "Averaging frequencies compared: batches per worker between averaging rounds "
              + "(default: ${DEFAULT-VALUE}).")
  List<Integer> averaging;

  @Option(
      names = "--averaging-records",
      defaultValue = "100000",
      paramLabel = "N",
      description = "Records of the averaging-frequency comparison (default: ${DEFAULT-VALUE}).")
  long averagingRecords;

  @Option(
      names = "--averaging-epochs",
      defaultValue = "3",
      paramLabel = "N",
      description = "Epochs of each averaging-frequency run (default: ${DEFAULT-VALUE}).")
  int averagingEpochs;

  @Override
  protected void validate(MtlConfig config) {
    if (records.stream().anyMatch(n -> n < 1000) || averagingRecords < 1000) {
      throw new CommandException(
          ExitCodes.USAGE, "--records and --averaging-records: at least 1000 records each");
    }
    if (averaging.stream().anyMatch(f -> f < 1) || averagingEpochs < 1) {
      throw new CommandException(
          ExitCodes.USAGE, "--averaging and --averaging-epochs must be at least 1");
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    BenchCommand.clearScratch(spark, work());
    List<Map<String, Object>> sizes = new ArrayList<>();
    BenchResults.Table curve =
        new BenchResults.Table(
            "Prep and one training epoch by data size ("
                + TrainingWorkers.resolve(spark, config.train())
                + " workers, averaging every "
                + config.train().averagingFrequency()
                + " batches)",
            "records",
            "training examples",
            "prep s",
            "train s (1 epoch)",
            "train examples/s",
            "prep s per 100k records",
            "train s per 100k examples",
            "cost per record vs smallest (prep, train)");
    // An untimed round at the smallest size first, so that no size is timed on a cold JVM.
    long smallest = records.stream().mapToLong(Long::longValue).min().orElseThrow();
    MtlConfig warm =
        epochs(
            PrepBenchmark.withoutImages(config, smallest), 1, config.train().averagingFrequency());
    new GenerateJob(spark).run(warm, work() + "/warmup-data");
    new PrepJob(spark).run(warm, work() + "/warmup-data", work() + "/warmup-prep");
    new TrainJob(spark).run(warm, work() + "/warmup-prep", work() + "/warmup-run");
    double prepUnit0 = Double.NaN;
    double trainUnit0 = Double.NaN;
    for (long n : records) {
      MtlConfig c =
          epochs(PrepBenchmark.withoutImages(config, n), 1, config.train().averagingFrequency());
      String data = work() + "/data-" + n;
      new GenerateJob(spark).run(c, data);
      long t0 = System.nanoTime();
      Manifest m = new PrepJob(spark).run(c, data, work() + "/prep-" + n);
      double prepSeconds = seconds(t0);
      long t1 = System.nanoTime();
      new TrainJob(spark).run(c, work() + "/prep-" + n, work() + "/run-" + n);
      double trainSeconds = seconds(t1);
      long examples = m.splits().get("train").examples();
      double prepUnit = prepSeconds / n * 1e5;
      double trainUnit = trainSeconds / examples * 1e5;
      if (Double.isNaN(prepUnit0)) {
        prepUnit0 = prepUnit;
        trainUnit0 = trainUnit;
      }
      curve.row(
          n,
          examples,
          BenchCommand.round(prepSeconds, 1),
          BenchCommand.round(trainSeconds, 1),
          Math.round(examples / trainSeconds),
          BenchCommand.round(prepUnit, 2),
          BenchCommand.round(trainUnit, 2),
          String.format("%.2fx, %.2fx", prepUnit / prepUnit0, trainUnit / trainUnit0));
      sizes.add(
          Map.of(
              "records",
              n,
              "trainExamples",
              examples,
              "prepSeconds",
              prepSeconds,
              "trainSeconds",
              trainSeconds));
    }

    MtlConfig base = PrepBenchmark.withoutImages(config, averagingRecords);
    String data = work() + "/averaging-data";
    String prep = work() + "/averaging-prep";
    new GenerateJob(spark).run(base, data);
    Manifest m = new PrepJob(spark).run(base, data, prep);
    List<String> columns =
        new ArrayList<>(
            List.of("averaging every (batches)", "train s", "examples/s", "speed vs every batch"));
    config.tasks().forEach(t -> columns.add(t.name() + " (test)"));
    BenchResults.Table tradeOff =
        new BenchResults.Table(
            "Averaging frequency: "
                + averagingRecords
                + " records, "
                + averagingEpochs
                + " epochs, "
                + TrainingWorkers.resolve(spark, config.train())
                + " workers",
            columns,
            new ArrayList<>());
    List<Map<String, Object>> frequencies = new ArrayList<>();
    double firstRate = Double.NaN;
    for (int f : averaging) {
      MtlConfig c = epochs(base, averagingEpochs, f);
      String run = work() + "/averaging-" + f;
      long t0 = System.nanoTime();
      new TrainJob(spark).run(c, prep, run);
      double seconds = seconds(t0);
      Map<String, TaskMetrics> test =
          new EvaluateJob(spark)
              .run(run, prep, "test", TrainingWorkers.resolve(spark, c.train()))
              .tasks();
      double rate = m.splits().get("train").examples() * (double) averagingEpochs / seconds;
      firstRate = Double.isNaN(firstRate) ? rate : firstRate;
      List<Object> row =
          new ArrayList<>(
              List.of(
                  f,
                  BenchCommand.round(seconds, 1),
                  Math.round(rate),
                  BenchCommand.round(rate / firstRate, 2) + "x"));
      Map<String, Object> metrics = new LinkedHashMap<>();
      test.values()
          .forEach(
              t -> {
                double v = t.metrics().get(t.primaryMetric());
                row.add(t.primaryMetric() + " " + String.format("%.4f", v));
                metrics.put(t.task(), Map.of(t.primaryMetric(), v));
              });
      tradeOff.rows().add(row);
      frequencies.add(
          Map.of(
              "averagingFrequency",
              f,
              "trainSeconds",
              seconds,
              "examplesPerSecond",
              rate,
              "test",
              metrics));
    }
    System.out.println(BenchSummaryCommand.text(curve) + BenchSummaryCommand.text(tradeOff));
    if (out != null) {
      BenchResults.of(
              spark,
              "Scaling and averaging frequency",
              "the smallest size (cost per record relative to it: 1.00x is linear growth); for the averaging "
                  + "frequency, averaging after every batch",
              List.of(curve, tradeOff),
              List.of(
                  "Built-in generated data without images; training time includes the per-epoch validation."),
              Map.of("sizes", sizes, "averaging", frequencies))
          .write(spark, out);
    }
    return ExitCodes.OK;
  }

  private static MtlConfig epochs(MtlConfig c, int epochs, int averagingFrequency) {
    return c.withTrain(c.train().withSchedule(epochs, averagingFrequency, 0));
  }

  private static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }
}
