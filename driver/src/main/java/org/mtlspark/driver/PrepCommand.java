package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "prep",
    mixinStandardHelpOptions = true,
    description =
        "Read, validate and align the sources by key, split by key hash, fit featurizers on the "
            + "training split and write MultiDataSet batches, rejects and a manifest into a new folder.")
final class PrepCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Folder the source paths are relative to (default: data.root).")
  String data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "New folder for the prepared data set.")
  String out;

  @Option(
      names = "--overwrite",
      description =
          "Replace OUT if it is an earlier output of prep (it holds manifest.json "
              + "and nothing else than prep writes); anything else is refused.")
  boolean overwrite;

  @Override
  protected void validate(MtlConfig config) {
    requireDataRoot(data, config);
  }

  /**
   * Refuses a command that reads the sources' files with neither {@code --data} nor {@code
   * data.root}; sources that are all tables need neither.
   */
  static void requireDataRoot(String data, MtlConfig config) {
    if (data == null && config.data().root().isEmpty() && config.data().readsFiles()) {
      throw new CommandException(
          ExitCodes.USAGE, "no data folder: pass --data DIR or set data.root");
    }
  }

  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    if (!root(config).isEmpty()) {
      require(hadoop, data != null ? "--data" : "data.root", root(config), null, null);
    }
  }

  /**
   * What a command reading the sources under {@code root} reads: the configuration files, the root
   * and each source's path; an output folder must hold none of them.
   */
  static List<String> sourceInputs(List<String> configFiles, MtlConfig config, String root) {
    List<String> inputs = new ArrayList<>(configFiles);
    if (!root.isEmpty()) {
      inputs.add(root);
    }
    for (SourceConfig source : config.data().sources()) {
      if (!source.path().isBlank()) {
        inputs.add(HadoopFiles.resolve(root, source.path()));
      }
    }
    return inputs;
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    List<String> inputs = sourceInputs(configOptions.files, config, root(config));
    return List.of(
        new OutputFolder(
            "--out",
            out,
            "prep",
            Set.of(Manifest.FILE_NAME, "batches", "examples", "rejects"),
            Manifest.FILE_NAME,
            overwrite,
            inputs));
  }

  private String root(MtlConfig config) {
    return data != null ? data : config.data().root();
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    Manifest m = new PrepJob(spark).run(config, root(config), out);
    System.out.println(Reports.prepSummary(m));
    return ExitCodes.OK;
  }
}
