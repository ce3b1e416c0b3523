package org.mtlspark.driver;

import java.io.IOException;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.manifest.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "prep", mixinStandardHelpOptions = true,
    description = "Read, validate and align the sources by key, split by key hash, fit featurizers on the "
        + "training split and write MultiDataSet batches, rejects and a manifest into a new folder.")
final class PrepCommand extends MtlCommand.SparkCommand {
  @Option(names = "--data", paramLabel = "DIR", description = "Folder the source paths are relative to (default: data.root).")
  String data;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "New folder for the prepared data set.")
  String out;

  @Override
  void validate(MtlConfig config) {
    if (data == null && config.data().root().isEmpty()) {
      throw new CommandException(ExitCodes.USAGE, "no data folder: pass --data DIR or set data.root");
    }
  }

  @Override
  int run(MtlConfig config, SparkSession spark) throws IOException {
    Manifest m = new PrepJob(spark).run(config, data != null ? data : config.data().root(), out);
    System.out.println(Reports.prepSummary(m));
    return ExitCodes.OK;
  }
}
