package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;
import org.mtlspark.workers.train.TrainingWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description =
        "Evaluate every task of a trained run on a split, beside its trivial baseline; "
            + "print the table and write metrics.json into the run folder, or into --out (a registry version is "
            + "evaluated only with --out: the registry is not written).")
final class EvaluateCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--run",
      required = true,
      paramLabel = "DIR",
      description = "Run folder written by `train`.")
  String run;

  @Option(
      names = "--prep",
      required = true,
      paramLabel = "DIR",
      description = "Output folder of `prep` the run was trained on.")
  String prep;

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "SPLIT",
      description = "train, validation or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "New folder for metrics.json instead of the run folder; "
              + "needed for a registry version.")
  String out;

  @Option(
      names = "--overwrite",
      description =
          "With --out: replace OUT if it is an earlier output of evaluate (it "
              + "holds metrics.json and nothing else); anything else is refused.")
  boolean overwrite;

  @Option(
      names = "--require-baseline",
      description = "Exit with 4 when a task does not beat its baseline.")
  boolean requireBaseline;

  @Override
  protected void validate(MtlConfig config) {
    if (!split.matches("train|validation|test")) {
      throw new CommandException(
          ExitCodes.USAGE, "--split must be train, validation or test, was " + split);
    }
  }

  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    require(hadoop, "--run", run, RunFolder.MODEL_FILE, "a run folder of train");
    require(hadoop, "--prep", prep, Manifest.FILE_NAME, "an output folder of prep");
    if (out == null) {
      Path model = new Path(run);
      FileSystem fs = model.getFileSystem(hadoop);
      if (OutputFolder.registryVersionHolding(fs, fs.makeQualified(model)) != null) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--run "
                + run
                + " is a registry version (it holds "
                + ModelRegistry.VERSION_FILE
                + "), which evaluate does not write into; give --out DIR, a folder "
                + "elsewhere for metrics.json");
      }
      OutputFolder.checkPlace(hadoop, "--run", new Path(model, RunFolder.METRICS_FILE).toString());
    }
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    if (out == null) {
      return List.of();
    }
    List<String> inputs = new ArrayList<>(configOptions.files);
    inputs.addAll(List.of(run, prep));
    return List.of(
        new OutputFolder(
            "--out",
            out,
            "evaluate",
            Set.of(RunFolder.METRICS_FILE),
            RunFolder.METRICS_FILE,
            overwrite,
            inputs));
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    EvaluateJob job = new EvaluateJob(spark);
    int workers = TrainingWorkers.resolve(spark, config.train());
    EvaluateJob.Report report;
    if (out == null) {
      report = job.run(run, prep, split, workers);
    } else {
      report = job.evaluate(run, prep, split, workers);
      EvaluateJob.writeReport(spark.sparkContext().hadoopConfiguration(), out, report);
      System.out.println("metrics: " + new Path(out, RunFolder.METRICS_FILE));
    }
    System.out.println(EvaluateJob.table(report));
    System.out.println(EvaluateJob.ablationTable(report));
    return requireBaseline && !report.allBeatBaseline() ? ExitCodes.BELOW_BASELINE : ExitCodes.OK;
  }
}
