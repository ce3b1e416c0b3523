package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.embed.EmbedJob;
import org.mtlspark.prep.split.Split;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description =
        "Train word vectors (word2vec, Spark ML) on the texts of the configured text source, cut "
            + "into tokens as prep cuts them, and write them in word2vec's format into a new folder, "
            + "for prep.text.vectors. Records need no labels.")
final class EmbedCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--data",
      paramLabel = "DIR",
      description = "Folder the source paths are relative to (default: data.root).")
  String data;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "New folder for the vectors (vectors.bin or vectors.txt) and embed.json.")
  String out;

  @Option(
      names = "--overwrite",
      description = "Replace OUT if it is an earlier output of embed; anything else is refused.")
  boolean overwrite;

  @Option(
      names = "--dimension",
      paramLabel = "N",
      defaultValue = "100",
      description = "Values a word (default: ${DEFAULT-VALUE}).")
  int dimension;

  @Option(
      names = "--window",
      paramLabel = "N",
      defaultValue = "5",
      description = "Context words on each side (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(
      names = "--min-count",
      paramLabel = "N",
      defaultValue = "5",
      description = "Fewest occurrences a word needs to get a vector (default: ${DEFAULT-VALUE}).")
  int minCount;

  @Option(
      names = "--iterations",
      paramLabel = "N",
      defaultValue = "5",
      description = "Passes over the texts (default: ${DEFAULT-VALUE}).")
  int iterations;

  @Option(
      names = "--partitions",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "Partitions word2vec trains in, one task each: more is faster and a little less "
              + "accurate (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(
      names = "--splits",
      paramLabel = "SPLIT",
      split = ",",
      defaultValue = "train,validation",
      description =
          "The records' splits (prep.split) whose texts are read (default: ${DEFAULT-VALUE}: the "
              + "test split's texts stay unseen).")
  List<String> splits;

  @Option(
      names = "--format",
      paramLabel = "binary|text",
      defaultValue = "binary",
      description = "word2vec's binary format (vectors.bin) or text format (vectors.txt).")
  String format;

  private EmbedJob.Options options;

  @Override
  protected void validate(MtlConfig config) {
    PrepCommand.requireDataRoot(data, config);
    String problem = EmbedJob.problem(config);
    if (problem != null) {
      throw new CommandException(ExitCodes.USAGE, problem);
    }
    Set<Split> chosen = EnumSet.noneOf(Split.class);
    for (String s : splits) {
      chosen.add(parse(Split.class, s, "--splits"));
    }
    options =
        new EmbedJob.Options(
            dimension,
            window,
            minCount,
            iterations,
            partitions,
            chosen,
            parse(EmbedJob.Format.class, format, "--format"),
            config.run().seed());
    problem = options.problem();
    if (problem != null) {
      throw new CommandException(ExitCodes.USAGE, problem);
    }
  }

  private static <E extends Enum<E>> E parse(Class<E> type, String value, String option) {
    for (E e : type.getEnumConstants()) {
      if (e.name().equalsIgnoreCase(value.strip())) {
        return e;
      }
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      names.add(e.name().toLowerCase(Locale.ROOT));
    }
    throw new CommandException(
        ExitCodes.USAGE, option + ": \"" + value + "\" is none of " + String.join(", ", names));
  }

  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    if (!root(config).isEmpty()) {
      require(hadoop, data != null ? "--data" : "data.root", root(config), null, null);
    }
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    List<String> inputs = PrepCommand.sourceInputs(configOptions.files, config, root(config));
    Set<String> entries =
        Set.of(
            EmbedJob.SUMMARY_FILE,
            "rejects",
            EmbedJob.Format.BINARY.file(),
            EmbedJob.Format.TEXT.file());
    return List.of(
        new OutputFolder("--out", out, "embed", entries, EmbedJob.SUMMARY_FILE, overwrite, inputs));
  }

  private String root(MtlConfig config) {
    return data != null ? data : config.data().root();
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    EmbedJob.Summary s = new EmbedJob(spark).run(config, root(config), out, options);
    System.out.println(Reports.embedSummary(s, out));
    return ExitCodes.OK;
  }
}
