package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.score.ScoreJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "score",
    mixinStandardHelpOptions = true,
    description =
        "Score new raw data with a trained model: the sources are read, validated and aligned with the "
            + "model's own configuration and featurized with its saved featurizers; writes predictions/ (one row per "
            + "key), rejects/ and score.json into --out.")
final class ScoreCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      description = "A run folder of `train` (or a registry version).")
  String model;

  @Option(
      names = "--registry",
      paramLabel = "URI",
      description = "A model registry; with --name (and --model-version).")
  String registry;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The registered model (with --registry).")
  String name;

  @Option(
      names = "--model-version",
      paramLabel = "VERSION",
      description = "A registered version (default: the promoted one).")
  String version;

  @Option(
      names = "--data",
      required = true,
      paramLabel = "DIR",
      description = "Data root holding the sources.")
  String data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Output folder (must not exist).")
  String out;

  @Option(
      names = "--overwrite",
      description =
          "Replace OUT if it is an earlier output of score (it holds score.json "
              + "and nothing else than score writes); anything else is refused.")
  boolean overwrite;

  @Option(
      names = "--format",
      defaultValue = "parquet",
      paramLabel = "FORMAT",
      description = "parquet or csv (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(
      names = "--beam",
      defaultValue = "4",
      paramLabel = "K",
      description =
          "Captions: the beam search keeps the K likeliest captions so far, in [1, "
              + ScoreJob.MAX_BEAM
              + "] (default: ${DEFAULT-VALUE}); the greedy caption is written beside it.")
  int beam;

  @Override
  protected void validate(MtlConfig config) {
    if (beam < 1 || beam > ScoreJob.MAX_BEAM) {
      throw new CommandException(
          ExitCodes.USAGE, "--beam is in [1, " + ScoreJob.MAX_BEAM + "], was " + beam);
    }
    if ((model == null) == (registry == null)) {
      throw new CommandException(
          ExitCodes.USAGE, "give either --model DIR or --registry URI with --name");
    }
    if (registry != null && name == null) {
      throw new CommandException(ExitCodes.USAGE, "--registry needs --name");
    }
    if (!format.equals("parquet") && !format.equals("csv")) {
      throw new CommandException(ExitCodes.USAGE, "--format is parquet or csv, was " + format);
    }
  }

  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    if (model != null) {
      for (String file : List.of(RunFolder.MODEL_FILE, Manifest.FILE_NAME, RunFolder.CONFIG_FILE)) {
        require(hadoop, "--model", model, file, "a run folder of train or a registry version");
      }
    } else {
      require(hadoop, "--registry", registry, null, null);
    }
    require(hadoop, "--data", data, null, null);
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    List<String> inputs = new ArrayList<>(configOptions.files);
    inputs.addAll(java.util.Arrays.asList(model, registry, data));
    return List.of(
        new OutputFolder(
            "--out",
            out,
            "score",
            Set.of(ScoreJob.SUMMARY_FILE, "predictions", "rejects"),
            ScoreJob.SUMMARY_FILE,
            overwrite,
            inputs));
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    String dir =
        model != null
            ? model
            : new ModelRegistry(spark.sparkContext().hadoopConfiguration(), registry)
                .resolve(name, version);
    ScoreJob.Summary s =
        new ScoreJob(spark)
            .run(dir, data, out, ScoreJob.Format.valueOf(format.toUpperCase()), beam);
    System.out.println(summary(s));
    System.out.println("predictions: " + out + "/predictions");
    return ExitCodes.OK;
  }

  /**
   * What a scoring run did, in words that fit scoring: every record with a modality is a record to
   * score, labelled or not; only the records left out are worth a reason.
   */
  static String summary(ScoreJob.Summary s) {
    Map<String, Long> status = s.recordStatus();
    long labelled = status.getOrDefault("usable", 0L);
    long toScore = labelled + status.getOrDefault("no_labels", 0L);
    StringBuilder line = new StringBuilder("records to score: " + toScore);
    if (labelled > 0) {
      line.append(" (").append(labelled).append(" of them with labels)");
    }
    line.append("; scored: ").append(s.scored());
    long noModality = status.getOrDefault("no_modality", 0L);
    long dropped = status.getOrDefault("missing_required_source", 0L);
    if (noModality > 0) {
      line.append("; left out, no source with features has a row: ").append(noModality);
    }
    if (dropped > 0) {
      line.append("; left out, a source with missing: drop has no row: ").append(dropped);
    }
    line.append("; source rows rejected: ").append(s.rejected());
    if (s.rejected() > 0) {
      line.append(' ').append(s.rejectsByReason());
    }
    return line.toString();
  }
}
