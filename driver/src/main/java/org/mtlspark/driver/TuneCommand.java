package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.tune.TuneJob;
import org.mtlspark.prep.manifest.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description =
        "Search training settings on prepared data: each trial trains on Spark into OUT/trial-NN "
            + "with some keys changed (--try), the best validation objective wins; writes "
            + "tune.json (every trial) and best.yaml (the winner's configuration, an experiment "
            + "file). Run again with the same options to resume.")
final class TuneCommand extends MtlCommand.SparkCommand {
  /** What is searched when no --try is given. */
  static final Map<String, List<String>> DEFAULT_SPACE = defaultSpace();

  private static Map<String, List<String>> defaultSpace() {
    Map<String, List<String>> m = new LinkedHashMap<>();
    m.put("train.learningRate", List.of("0.001", "0.003", "0.01"));
    m.put("model.dropout", List.of("0.0", "0.2", "0.5"));
    m.put("model.trunk", List.of("[64, 32]", "[128, 64]", "[32]"));
    m.put("train.epochs", List.of("6", "12", "24"));
    return m;
  }

  @Option(
      names = "--prep",
      required = true,
      paramLabel = "DIR",
      description = "Output folder of `prep`.")
  String prep;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder for the trials' runs, tune.json and best.yaml.")
  String out;

  @Option(
      names = "--try",
      paramLabel = "KEY=V1|V2|...",
      description =
          "A key and the values to try, separated by '|', e.g. --try 'train.learningRate=0.001|0.01'; "
              + "repeatable. Default: learning rate 0.001|0.003|0.01, model.dropout 0|0.2|0.5, "
              + "model.trunk [64, 32]|[128, 64]|[32], train.epochs 6|12|24.")
  List<String> tries = new ArrayList<>();

  @Option(
      names = "--trials",
      defaultValue = "8",
      description =
          "Combinations trained, drawn at random when there are more (default: ${DEFAULT-VALUE}).")
  int trials;

  @Option(
      names = "--search-seed",
      defaultValue = "1",
      description = "Seed of the draw of combinations (default: ${DEFAULT-VALUE}).")
  long searchSeed;

  private List<TuneJob.Trial> planned;

  /** The keys and values to try, from --try or the default. */
  Map<String, List<String>> space() {
    if (tries.isEmpty()) {
      return DEFAULT_SPACE;
    }
    Map<String, List<String>> space = new LinkedHashMap<>();
    for (String t : tries) {
      int eq = t.indexOf('=');
      List<String> values =
          eq < 0
              ? List.of()
              : Arrays.stream(t.substring(eq + 1).split("\\|"))
                  .map(String::strip)
                  .filter(v -> !v.isEmpty())
                  .toList();
      if (eq <= 0 || values.isEmpty()) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--try " + t + ": expected KEY=VALUE|VALUE..., e.g. model.dropout=0|0.5");
      }
      if (space.put(t.substring(0, eq).strip(), values) != null) {
        throw new CommandException(
            ExitCodes.USAGE, "--try names " + t.substring(0, eq).strip() + " twice");
      }
    }
    return space;
  }

  /** Every trial's configuration is loaded and checked here, before Spark starts. */
  @Override
  protected void validate(MtlConfig config) {
    if (trials < 1) {
      throw new CommandException(ExitCodes.USAGE, "--trials must be >= 1, was " + trials);
    }
    List<TuneJob.Trial> out = new ArrayList<>();
    for (Map<String, String> settings : TuneJob.draw(space(), trials, searchSeed)) {
      List<String> overrides = new ArrayList<>(configOptions.overrides);
      settings.forEach((k, v) -> overrides.add(k + "=" + v));
      try {
        out.add(new TuneJob.Trial(settings, ConfigLoader.load(configFiles(), overrides)));
      } catch (ConfigException e) {
        throw new CommandException(
            ExitCodes.USAGE,
            "the trial "
                + settings
                + " is not a valid configuration: "
                + String.join("; ", e.problems()));
      }
    }
    planned = out;
  }

  /** The prepared data must be there; --out may be new or an earlier output of tune. */
  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    require(hadoop, "--prep", prep, Manifest.FILE_NAME, "an output folder of prep");
    List<String> foreign =
        OutputFolder.resumableEntries(hadoop, out, prep, "folder").stream()
            .filter(
                n ->
                    !n.matches("trial-\\d+")
                        && !n.equals(TuneJob.RESULT_FILE)
                        && !n.equals(TuneJob.BEST_FILE))
            .toList();
    if (!foreign.isEmpty()) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--out "
              + out
              + " exists and was not made by tune (it holds "
              + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
              + "); choose another --out");
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    TuneJob.Result result = new TuneJob(spark).run(planned, prep, out);
    StringBuilder table = new StringBuilder(String.format("%ntrial  objective  epoch  settings%n"));
    for (TuneJob.TrialResult r : result.trials()) {
      table.append(
          String.format(
              "%s%4d  %9.4f  %5d  %s%n",
              r == result.bestTrial() ? "*" : " ",
              r.trial(),
              r.objective(),
              r.bestEpoch(),
              r.settings()));
    }
    table.append(
        String.format(
            "%nBest: trial %d (validation objective %.4f), its model in %s; its configuration: %s/%s%n",
            result.bestTrial().trial(),
            result.bestTrial().objective(),
            result.bestTrial().run(),
            out,
            TuneJob.BEST_FILE));
    System.out.print(table);
    return ExitCodes.OK;
  }
}
