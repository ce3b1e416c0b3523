package org.mtlspark.driver;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.generate.GenerateJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description =
        "Write the built-in multimodal, multi-task data set (tabular CSV, text JSON lines, "
            + "image Parquet, labels CSV) into a new folder.")
final class GenerateCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "New folder (any Hadoop URI) for the sources.")
  String out;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Records to generate (default: generate.rows).")
  Long rows;

  @Override
  protected java.util.List<String> extraOverrides() {
    return rows == null ? java.util.List.of() : java.util.List.of("generate.rows=" + rows);
  }

  @Override
  java.util.List<OutputFolder> outputs(MtlConfig config) {
    return java.util.List.of(OutputFolder.fresh("--out", out, "generate"));
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    new GenerateJob(spark).run(config, out);
    return ExitCodes.OK;
  }
}
