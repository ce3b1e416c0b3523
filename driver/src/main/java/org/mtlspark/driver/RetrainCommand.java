package org.mtlspark.driver;

import java.io.IOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.RegistryException;
import org.mtlspark.operate.registry.RetrainJob;
import org.mtlspark.workers.run.EncoderFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "retrain",
    mixinStandardHelpOptions = true,
    description =
        "Scheduled retraining: prepare the data of one date or partition, warm-start from the promoted "
            + "version when compatible, train, evaluate against the promoted version on the same holdout, register the "
            + "new version and promote it only if it is better. Exit code 0: promoted; 10: not promoted (reason "
            + "printed); 11: registry locked or refused; others: failed.")
final class RetrainCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--data",
      required = true,
      paramLabel = "PATTERN",
      description =
          "Data root of this run; {date} is replaced by --date, e.g. hdfs:///data/events/date={date}.")
  String data;

  @Option(
      names = "--date",
      paramLabel = "YYYY-MM-DD",
      description = "The partition date (default: today, UTC).")
  String date;

  @Option(
      names = "--registry",
      required = true,
      paramLabel = "URI",
      description = "The model registry's root.")
  String registry;

  @Option(
      names = "--name",
      required = true,
      paramLabel = "NAME",
      description = "The registered model.")
  String name;

  @Option(
      names = "--run-id",
      paramLabel = "ID",
      description =
          "Identifies this run (default: the date). Running the same id again finishes it: a registered "
              + "version is not trained again, and what an interrupted attempt completed is reused.")
  String runId;

  @Option(
      names = "--work",
      defaultValue = "runs/retrain",
      paramLabel = "DIR",
      description = "Work folder for prepared data and runs (default: ${DEFAULT-VALUE}).")
  String work;

  @Option(
      names = "--tolerance",
      defaultValue = "0.02",
      paramLabel = "FRACTION",
      description =
          "No task's primary metric may be worse than the promoted version's by more than this "
              + "(relative; default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(
      names = "--stale-lock",
      defaultValue = "PT10M",
      paramLabel = "DURATION",
      description =
          "A running retrain refreshes its lock every tenth of this (at most every minute); a lock not "
              + "refreshed for this long (ISO-8601, default: ${DEFAULT-VALUE}) belongs to a crashed run and is broken.")
  Duration staleLock;

  @Option(
      names = "--not-promoted-exit-code",
      defaultValue = "10",
      paramLabel = "CODE",
      description =
          "Exit code when the new version is registered but not promoted (default: ${DEFAULT-VALUE}; "
              + "0 for schedulers that fail on any other code).")
  int notPromotedExitCode;

  @Override
  protected void validate(MtlConfig config) {
    if (date == null) {
      date = LocalDate.now(ZoneOffset.UTC).toString();
    }
    try {
      LocalDate.parse(date);
    } catch (java.time.format.DateTimeParseException e) {
      throw new CommandException(ExitCodes.USAGE, "--date is YYYY-MM-DD, was " + date);
    }
    if (runId == null) {
      runId = date;
    }
    try {
      ModelRegistry.checkName(name);
      ModelRegistry.checkName(runId);
    } catch (IOException e) {
      throw new CommandException(ExitCodes.USAGE, e.getMessage());
    }
    if (staleLock.isNegative() || staleLock.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new CommandException(
          ExitCodes.USAGE, "--stale-lock must be at least PT10S, was " + staleLock);
    }
    if (!(tolerance >= 0)) {
      throw new CommandException(ExitCodes.USAGE, "--tolerance must be >= 0, was " + tolerance);
    }
  }

  /**
   * Before Spark starts: the registry must be on a filesystem it can be trusted on, and the run's
   * work folder must be writable, outside the registry, not holding the data, and either new or
   * an earlier attempt of a retrain (a retry finishes it).
   */
  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    try {
      new ModelRegistry(hadoop, registry).checkSupported();
    } catch (RegistryException e) {
      throw new CommandException(ExitCodes.USAGE, "--registry " + registry + ": " + e.getMessage());
    }
    String runWork = work + "/" + runId;
    Path run = new Path(runWork);
    FileSystem fs = run.getFileSystem(hadoop);
    Path qualified = fs.makeQualified(run);
    Path reg = new Path(registry);
    if (OutputFolder.isWithin(qualified, reg.getFileSystem(hadoop).makeQualified(reg))) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--work "
              + work
              + " is inside the registry "
              + registry
              + ": a registry is changed only through mtl registry and retrain; keep the work folder elsewhere");
    }
    Path in = new Path(data.replace("{date}", date));
    if (OutputFolder.isWithin(in.getFileSystem(hadoop).makeQualified(in), qualified)) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--work "
              + work
              + " holds this run's data "
              + in
              + "; keep the work folder apart from the data");
    }
    if (fs.exists(qualified)
        && !fs.exists(new Path(qualified, RetrainJob.RUN_FILE))
        && fs.listStatus(qualified).length > 0) {
      throw new CommandException(
          ExitCodes.USAGE,
          "the work folder "
              + runWork
              + " exists and was not made by "
              + "retrain (it has no "
              + RetrainJob.RUN_FILE
              + "); nothing in it is touched: choose another --work or "
              + "--run-id");
    }
    OutputFolder.checkPlace(hadoop, "--work", runWork + "/" + RetrainJob.RUN_FILE);
    // An imported image encoder is part of the network's structure: a warm start reads it too.
    if (config.train().pretrained().image().given()) {
      EncoderFiles.checkExists(hadoop, config.train().pretrained().image());
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    String root = data.replace("{date}", date);
    ModelRegistry r = new ModelRegistry(spark.sparkContext().hadoopConfiguration(), registry);
    RetrainJob.Result result =
        new RetrainJob(spark)
            .run(config, r, new RetrainJob.Request(name, runId, root, work, tolerance, staleLock));
    System.out.printf(
        "%s %s %s: %s%n  %s%n  new:      test objective %.4f %s%n",
        name,
        result.version(),
        result.outcome() == RetrainJob.Outcome.PROMOTED ? "PROMOTED" : "NOT PROMOTED",
        result.reason(),
        result.warmStart(),
        result.newObjective(),
        result.newMetrics());
    if (!result.promotedMetrics().isEmpty()) {
      System.out.printf(
          "  promoted: test objective %.4f %s (%s, same holdout)%n",
          result.promotedObjective(), result.promotedMetrics(), result.promotedBefore());
    }
    return result.outcome() == RetrainJob.Outcome.PROMOTED ? ExitCodes.OK : notPromotedExitCode;
  }
}
