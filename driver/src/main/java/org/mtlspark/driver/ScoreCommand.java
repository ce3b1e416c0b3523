package org.mtlspark.driver;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.workers.registry.ModelRegistry;
import org.mtlspark.workers.score.ScoreJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "score", mixinStandardHelpOptions = true,
    description = "Score new raw data with a trained model: the sources are read, validated and aligned with the "
        + "model's own configuration and featurized with its saved featurizers; writes predictions/ (one row per "
        + "key), rejects/ and score.json into --out.")
final class ScoreCommand extends MtlCommand.SparkCommand {
  @Option(names = "--model", paramLabel = "DIR", description = "A run folder of `train` (or a registry version).")
  String model;

  @Option(names = "--registry", paramLabel = "URI", description = "A model registry; with --name (and --version).")
  String registry;

  @Option(names = "--name", paramLabel = "NAME", description = "The registered model (with --registry).")
  String name;

  @Option(names = "--model-version", paramLabel = "VERSION", description = "A registered version (default: the promoted one).")
  String version;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "Data root holding the sources.")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder (must not exist).")
  String out;

  @Option(names = "--format", defaultValue = "parquet", paramLabel = "FORMAT",
      description = "parquet or csv (default: ${DEFAULT-VALUE}).")
  String format;

  @Override
  void validate(MtlConfig config) {
    if ((model == null) == (registry == null)) {
      throw new CommandException(ExitCodes.USAGE, "give either --model DIR or --registry URI with --name");
    }
    if (registry != null && name == null) {
      throw new CommandException(ExitCodes.USAGE, "--registry needs --name");
    }
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new CommandException(ExitCodes.USAGE, "--format is parquet or csv, was " + format);
    }
  }

  @Override
  int run(MtlConfig config, SparkSession spark) throws IOException {
    String dir = model != null ? model
        : new ModelRegistry(spark.sparkContext().hadoopConfiguration(), registry).resolve(name, version);
    ScoreJob.Summary s = new ScoreJob(spark).run(dir, data, out, ScoreJob.Format.valueOf(format.toUpperCase()));
    System.out.printf("scored %d of %d records (%s); %d source rows rejected %s%npredictions: %s/predictions%n",
        s.scored(), s.records(), s.recordStatus(), s.rejected(), s.rejectsByReason(), out);
    return ExitCodes.OK;
  }
}
