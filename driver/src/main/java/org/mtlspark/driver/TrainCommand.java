package org.mtlspark.driver;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.workers.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train the multi-task graph with parameter averaging on Spark; write model.zip, "
        + "manifest.json, config.yaml and training.json into the run folder.")
final class TrainCommand extends MtlCommand.SparkCommand {
  @Option(names = "--prep", required = true, paramLabel = "DIR", description = "Output folder of `prep`.")
  String prep;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Run folder for the model and its files.")
  String out;

  @Override
  int run(MtlConfig config, SparkSession spark) throws IOException {
    new TrainJob(spark).run(config, prep, out);
    return ExitCodes.OK;
  }
}
