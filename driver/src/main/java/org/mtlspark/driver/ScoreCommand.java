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
import org.mtlspark.operate.score.ScoreSink;
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
      paramLabel = "DIR",
      description =
          "Data root holding the sources (not needed when the model's sources are all tables).")
  String data;

  @Option(
      names = "--where",
      paramLabel = "SOURCE=CONDITION",
      description =
          "A table or spark source's rows to score, as a Spark SQL condition replacing its `where` "
              + "(e.g. tabular=\"dt = '2026-12-01'\"); repeatable.")
  Map<String, String> where = new java.util.LinkedHashMap<>();

  @Option(
      names = "--table",
      paramLabel = "TABLE",
      description =
          "Write the predictions into this table of the session's catalog (created if absent) "
              + "instead of OUT/predictions, with a model_version column and typed key columns.")
  String table;

  @Option(
      names = "--into",
      paramLabel = "PATH",
      description =
          "Write the predictions as a Parquet dataset at PATH (new, empty, or written by score "
              + "before) instead of OUT/predictions, as --table does.")
  String into;

  @Option(
      names = "--partition-by",
      split = ",",
      paramLabel = "COLUMN",
      description =
          "With --table or --into: partition a new target by these columns (e.g. model_version).")
  List<String> partitionBy = new ArrayList<>();

  @Option(
      names = "--mode",
      defaultValue = "append",
      paramLabel = "MODE",
      description =
          "With --table or --into: append (default) or overwrite; overwrite replaces only the "
              + "partitions written, and only in a target score created.")
  String mode;

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
    if (table != null && into != null) {
      throw new CommandException(ExitCodes.USAGE, "give --table or --into, not both");
    }
    if (!mode.equals("append") && !mode.equals("overwrite")) {
      throw new CommandException(ExitCodes.USAGE, "--mode is append or overwrite, was " + mode);
    }
    if (table == null && into == null) {
      if (!partitionBy.isEmpty() || !mode.equals("append")) {
        throw new CommandException(
            ExitCodes.USAGE, "--partition-by and --mode are for --table or --into");
      }
    } else if (!format.equals("parquet")) {
      throw new CommandException(
          ExitCodes.USAGE, "--table and --into write Parquet; leave --format out");
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
    if (data != null) {
      require(hadoop, "--data", data, null, null);
    }
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    List<String> inputs = new ArrayList<>(configOptions.files);
    inputs.addAll(java.util.Arrays.asList(model, registry, data));
    if (into != null) {
      for (String in : inputs) {
        if (in != null && (within(in, into) || within(into, in))) {
          throw new CommandException(
              ExitCodes.USAGE, "--into " + into + " holds or is inside an input: " + in);
        }
      }
      if (within(into, out) || within(out, into)) {
        throw new CommandException(
            ExitCodes.USAGE, "--into " + into + " and --out " + out + " must lie apart");
      }
    }
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

  /**
   * Whether path {@code a} is {@code b} or lies below it, as written (a relative path taken from
   * the working folder); the sink itself refuses a target holding files it did not write.
   */
  static boolean within(String a, String b) {
    return OutputFolder.isWithin(plain(a), plain(b));
  }

  private static org.apache.hadoop.fs.Path plain(String p) {
    org.apache.hadoop.fs.Path x = new org.apache.hadoop.fs.Path(p);
    return x.isAbsolute() || x.toUri().getScheme() != null
        ? x
        : new org.apache.hadoop.fs.Path(new java.io.File(p).getAbsolutePath());
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    String dir =
        model != null
            ? model
            : new ModelRegistry(spark.sparkContext().hadoopConfiguration(), registry)
                .resolve(name, version);
    ScoreSink sink =
        table == null && into == null
            ? null
            : new ScoreSink(table, into, partitionBy, mode.equals("overwrite"));
    ScoreJob.Summary s =
        new ScoreJob(spark)
            .run(
                dir,
                data == null ? "" : data,
                out,
                ScoreJob.Format.valueOf(format.toUpperCase()),
                beam,
                where,
                sink);
    System.out.println(summary(s));
    System.out.println("predictions: " + s.predictions());
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
