package org.mtlspark.driver;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Evaluate every task of a trained run on a split, beside its trivial baseline; "
        + "print the table and write metrics.json into the run folder.")
final class EvaluateCommand extends MtlCommand.SparkCommand {
  @Option(names = "--run", required = true, paramLabel = "DIR", description = "Run folder written by `train`.")
  String run;

  @Option(names = "--prep", required = true, paramLabel = "DIR", description = "Output folder of `prep` the run was trained on.")
  String prep;

  @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT",
      description = "train, validation or test (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--require-baseline", description = "Exit with 4 when a task does not beat its baseline.")
  boolean requireBaseline;

  @Override
  void validate(MtlConfig config) {
    if (!split.matches("train|validation|test")) {
      throw new CommandException(ExitCodes.USAGE, "--split must be train, validation or test, was " + split);
    }
  }

  @Override
  void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    require(hadoop, "--run", run, TrainJob.MODEL_FILE, "a run folder of train");
    require(hadoop, "--prep", prep, Manifest.FILE_NAME, "an output folder of prep");
  }

  @Override
  int run(MtlConfig config, SparkSession spark) throws IOException {
    EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, split,
        TrainingWorkers.resolve(spark, config.train()));
    System.out.println(EvaluateJob.table(report));
    System.out.println(EvaluateJob.ablationTable(report));
    return requireBaseline && !report.allBeatBaseline() ? ExitCodes.BELOW_BASELINE : ExitCodes.OK;
  }
}
