package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.operate.score.ScoreJob;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.InProcessCommand.Outcome;
import picocli.CommandLine;

/** The command line without Spark: help, usage errors and configuration errors, all before Spark starts. */
class MtlCommandTest {
  @TempDir Path dir;

  private static Outcome run(String... args) {
    return InProcessCommand.run(MtlCommand::execute, args);
  }

  private static void refused(Outcome o, String expected) {
    InProcessCommand.assertRefused(o, ExitCodes.USAGE, expected);
  }

  private Path folder(String name, String... files) throws IOException {
    return InProcessCommand.folder(dir, name, files);
  }

  @Test
  void everyCommandHasHelp() {
    for (String command :
        new String[] {
          "generate",
          "prep",
          "embed",
          "train",
          "evaluate",
          "score",
          "retrieve",
          "retrain",
          "tune",
          "demo"
        }) {
      Outcome o = run(command, "--help");
      assertEquals(ExitCodes.OK, o.code(), command);
      assertTrue(o.out().contains("Usage: mtl " + command), o.out());
      assertTrue(o.out().contains("--config"), command + " takes --config");
    }
    for (String action : new String[] {"list", "show", "promote", "rollback"}) {
      Outcome o = run("registry", action, "--help");
      assertEquals(ExitCodes.OK, o.code(), "registry " + action);
      assertTrue(o.out().contains("--registry"), o.out());
    }
    assertEquals(ExitCodes.OK, run("report", "--help").code());
  }

  @Test
  void theProductCommandLineHasNoBenchmarks() {
    // The benchmarks are a program of their own (the bench module, mtl bench), not in the
    // application jar.
    Outcome help = run("--help");
    assertEquals(ExitCodes.OK, help.code());
    assertFalse(help.out().contains("bench"), help.out());
    assertEquals(ExitCodes.USAGE, run("bench", "summary", "--dir", dir.toString()).code());
  }

  @Test
  void aMisspeltKeyFailsNamingTheKeyWithoutStartingSpark() {
    Outcome o = run("demo", "--set", "train.epohcs=3", "--out", "ignored");
    assertEquals(ExitCodes.USAGE, o.code());
    assertTrue(o.err().contains("train.epohcs: unknown key, did you mean 'epochs'?"), o.err());
    assertTrue(SparkSession.getDefaultSession().isEmpty(), "no SparkSession was created");
  }

  @Test
  void usageErrorsExitWithTwo() {
    assertEquals(ExitCodes.USAGE, run("train", "--prep", "x").code(), "missing --out");
    assertEquals(ExitCodes.USAGE, run("fly").code());
    Outcome split = run("evaluate", "--run", "r", "--prep", "p", "--split", "holdout");
    assertEquals(ExitCodes.USAGE, split.code());
    assertTrue(split.err().contains("--split must be train, validation or test"), split.err());
    Outcome noQuery = run("retrieve", "--model", "m", "--scored", "s");
    assertEquals(ExitCodes.USAGE, noQuery.code());
    assertTrue(
        noQuery.err().contains("give one query: --text TEXT or --image FILE"), noQuery.err());
    Outcome twoQueries =
        run("retrieve", "--model", "m", "--scored", "s", "--text", "a", "--image", "b.png");
    assertEquals(ExitCodes.USAGE, twoQueries.code(), "one query at a time");
    Outcome noK = run("retrieve", "--model", "m", "--scored", "s", "--text", "a", "--k", "0");
    assertTrue(noK.err().contains("--k must be >= 1, was 0"), noK.err());
    refused(
        run("embed", "--data", "d", "--out", "o", "--splits", "train,holdout"),
        "--splits: \"holdout\" is none of train, validation, test");
    refused(
        run("embed", "--data", "d", "--out", "o", "--dimension", "0"),
        "--dimension must be in [1, 4096], was 0");
    refused(
        run("embed", "--data", "d", "--out", "o", "--format", "glove"),
        "--format: \"glove\" is none of binary, text");
    assertTrue(SparkSession.getDefaultSession().isEmpty());
  }

  @Test
  void trainRefusesAMissingEncoderFileBeforeSparkStarts() throws IOException {
    String prep = folder("prep", "manifest.json").toString();
    String missing = dir.resolve("models/encoder.h5").toString();
    refused(
        run(
            "train",
            "--prep",
            prep,
            "--out",
            dir.resolve("run").toString(),
            "--set",
            "train.pretrained.image.keras=" + missing,
            "--set",
            "train.pretrained.image.layer=features"),
        "no Keras model file " + missing);
    refused(
        run(
            "train",
            "--prep",
            prep,
            "--out",
            dir.resolve("run").toString(),
            "--set",
            "train.pretrained.image.zoo=squeezenet",
            "--set",
            "train.pretrained.image.weights=" + missing,
            "--set",
            "train.pretrained.image.layer=pool10"),
        "no weights file " + missing);
    assertTrue(SparkSession.getDefaultSession().isEmpty());
  }

  @Test
  void embedRefusesAConfigurationWithoutTextBeforeSparkStarts() throws IOException {
    Path yaml = dir.resolve("no-text.yaml");
    Files.writeString(
        yaml,
        """
        data:
          key: [id]
          sources:
            - {name: rows, format: csv, path: rows.csv, numeric: [x]}
        tasks:
          - {name: y, type: regression, source: rows, column: y}
        """);
    refused(
        run("embed", "--config", yaml.toString(), "--data", dir.toString(), "--out", "o"),
        "no source has a text column (data.sources[].text): there is nothing to embed");
  }

  @Test
  void everyCommandThatWritesAFolderRefusesAnExistingOneInOneLine() throws IOException {
    String data = folder("data").toString();
    String out = folder("out", "notes.txt").toString();
    String model = folder("model", "model.zip", "manifest.json", "config.yaml").toString();
    String prep = folder("prep", "manifest.json").toString();
    refused(
        run("prep", "--data", data, "--out", out),
        "--out "
            + out
            + " already exists; choose another --out or "
            + "pass --overwrite to replace an earlier output of prep");
    refused(
        run("embed", "--data", data, "--out", out),
        "--out "
            + out
            + " already exists; choose another --out or "
            + "pass --overwrite to replace an earlier output of embed");
    refused(
        run("generate", "--out", out), "--out " + out + " already exists; choose another --out");
    refused(
        run("score", "--model", model, "--data", data, "--out", out),
        "--out " + out + " already exists");
    refused(run("demo", "--out", out), "--out " + out + " already exists");
    refused(
        run("train", "--prep", prep, "--out", model),
        "the run "
            + model
            + " is already complete (it holds "
            + "model.zip); choose another --out");
    refused(
        run("train", "--prep", prep, "--out", out),
        "--out "
            + out
            + " exists and is not a run folder of train "
            + "(no manifest.json; it holds notes.txt)");
    refused(
        run("train", "--prep", data, "--out", dir.resolve("new").toString()),
        "--prep " + data + " holds no manifest.json: give an output folder of prep");
    refused(run("evaluate", "--run", out, "--prep", prep), "--run " + out + " holds no model.zip");
    refused(
        run("score", "--model", out, "--data", data, "--out", dir.resolve("new").toString()),
        "--model " + out + " holds no model.zip: give a run folder of train or a registry version");
    refused(
        run(
            "prep",
            "--data",
            dir.resolve("nowhere").toString(),
            "--out",
            dir.resolve("new").toString()),
        "--data " + dir.resolve("nowhere") + " does not exist");
    Path html = dir.resolve("report.html");
    Files.writeString(html, "<html><title>my notes</title></html>");
    refused(
        run("report", "--run", model, "--out", html.toString()),
        "--out " + html + " already exists");
    refused(
        run("report", "--run", model, "--out", html.toString(), "--overwrite"),
        "--overwrite refuses " + html + ": it is not a report of mtl report");
    assertEquals("<html><title>my notes</title></html>", Files.readString(html));
    assertTrue(Files.exists(dir.resolve("out/notes.txt")));
    assertFalse(Files.exists(dir.resolve("new")), "nothing was created");
  }

  @Test
  void overwriteRefusesAFolderThatIsNotAnEarlierOutputOfTheSameCommand() throws IOException {
    String data = folder("data", "rows.csv").toString();
    Path foreign = folder("foreign", "notes.txt");
    refused(
        run("prep", "--data", data, "--out", foreign.toString(), "--overwrite"),
        "--overwrite refuses "
            + foreign
            + ": it holds no manifest.json, so it is not an output of prep (it holds "
            + "notes.txt)");
    Path mixed = folder("mixed", "manifest.json", "notes.txt");
    Files.createDirectories(mixed.resolve("batches"));
    refused(
        run("prep", "--data", data, "--out", mixed.toString(), "--overwrite"),
        "--overwrite refuses "
            + mixed
            + ": besides the output of prep it holds notes.txt, which prep did not write");
    Path scored = folder("scored", "manifest.json");
    String model = folder("model", "model.zip", "manifest.json", "config.yaml").toString();
    refused(
        run("score", "--model", model, "--data", data, "--out", scored.toString(), "--overwrite"),
        "--overwrite refuses "
            + scored
            + ": it holds no score.json, so it is not an output of score (it holds "
            + "manifest.json)");
    Path parent = folder("parent", "manifest.json");
    Path inside = folder("parent/rejects", "rows.csv");
    refused(
        run("prep", "--data", inside.toString(), "--out", parent.toString(), "--overwrite"),
        "--overwrite refuses " + parent + ": it holds the input " + inside);
    refused(
        run(
            "score",
            "--model",
            model,
            "--data",
            data,
            "--out",
            dir.resolve("model").toString(),
            "--overwrite"),
        "--overwrite refuses " + dir.resolve("model") + ": it holds the input " + model);
    Path home = folder("home", "data", ".bashrc");
    refused(
        run("demo", "--out", home.toString(), "--overwrite"),
        "--overwrite refuses "
            + home
            + ": besides the output of demo it holds .bashrc, which demo did not write");
    refused(
        run("prep", "--data", data, "--out", "/", "--overwrite"),
        "--out / is the root of a filesystem");
    for (Path kept :
        List.of(
            foreign.resolve("notes.txt"),
            mixed.resolve("manifest.json"),
            mixed.resolve("notes.txt"),
            scored.resolve("manifest.json"),
            inside.resolve("rows.csv"),
            home.resolve("data"),
            home.resolve(".bashrc"))) {
      assertTrue(Files.exists(kept), kept + " is kept");
    }
  }

  @Test
  void everyOptionThatHelpNamesIsOneTheCommandAccepts() {
    List<String> wrong = new ArrayList<>();
    check(new CommandLine(new MtlCommand()), wrong);
    assertEquals(List.of(), wrong, "options named in --help that the command does not accept");
  }

  /**
   * Adds to {@code wrong} each option that {@code cli}'s help names but the command does not take;
   * in descriptions, --help and --version (picocli's own) count as not taken, since a description
   * naming them means another option.
   */
  private static void check(CommandLine cli, List<String> wrong) {
    CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
    Set<String> all = new TreeSet<>();
    Set<String> own = new TreeSet<>();
    for (CommandLine.Model.OptionSpec o : spec.options()) {
      all.addAll(List.of(o.names()));
      if (!o.usageHelp() && !o.versionHelp()) {
        own.addAll(List.of(o.names()));
      }
    }
    // A command's help lists its subcommands with their descriptions, which name their options.
    for (CommandLine sub : cli.getSubcommands().values()) {
      sub.getCommandSpec().options().forEach(o -> all.addAll(List.of(o.names())));
      sub.getSubcommands()
          .values()
          .forEach(s -> s.getCommandSpec().options().forEach(o -> all.addAll(List.of(o.names()))));
    }
    Pattern option = Pattern.compile("(?<![\\w-])--[a-z][a-z-]*");
    Matcher m = option.matcher(cli.getUsageMessage(CommandLine.Help.Ansi.OFF));
    while (m.find()) {
      if (!all.contains(m.group())) {
        wrong.add(spec.qualifiedName() + " --help: " + m.group());
      }
    }
    List<String> descriptions = new ArrayList<>(List.of(spec.usageMessage().description()));
    spec.options().forEach(o -> descriptions.addAll(List.of(o.description())));
    for (String text : descriptions) {
      Matcher d = option.matcher(text);
      while (d.find()) {
        if (!own.contains(d.group())) {
          wrong.add(spec.qualifiedName() + " description: " + d.group() + " in \"" + text + "\"");
        }
      }
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (sub.getCommandSpec().parent() == spec) {
        check(sub, wrong);
      }
    }
  }

  @Test
  void scoreSinksAreRefusedWhenTheirOptionsDisagreeOrTheyLieAmongTheInputs() throws IOException {
    String model = folder("model", "model.zip", "manifest.json", "config.yaml").toString();
    String data = folder("data").toString();
    String out = dir.resolve("scored").toString();
    String[] base = {"score", "--model", model, "--data", data, "--out", out};
    refused(run(join(base, "--table", "t", "--into", "p")), "give --table or --into, not both");
    refused(run(join(base, "--table", "t", "--mode", "replace")), "--mode is append or overwrite");
    refused(
        run(join(base, "--partition-by", "model_version")),
        "--partition-by and --mode are for --table or --into");
    refused(run(join(base, "--mode", "overwrite")), "--partition-by and --mode are for");
    refused(
        run(join(base, "--table", "t", "--format", "csv")),
        "--table and --into write Parquet; leave --format out");
    refused(
        run(join(base, "--into", data + "/predictions")),
        "--into " + data + "/predictions holds or is inside an input: " + data);
    refused(run(join(base, "--into", out + "/p")), "must lie apart");
    assertTrue(!Files.exists(Path.of(out)));
  }

  private static String[] join(String[] base, String... more) {
    String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void scoringSaysRecordsToScoreInsteadOfAStatusThatReadsLikeAProblem() {
    ScoreJob.Summary unlabelled =
        new ScoreJob.Summary(
            "m",
            "d",
            "parquet",
            20761,
            20761,
            Map.of("no_labels", 20761L),
            0,
            Map.of(),
            List.of(),
            "m",
            "o/predictions");
    assertEquals(
        "records to score: 20761; scored: 20761; source rows rejected: 0",
        ScoreCommand.summary(unlabelled));
    ScoreJob.Summary mixed =
        new ScoreJob.Summary(
            "m",
            "d",
            "parquet",
            110,
            100,
            Map.of(
                "usable", 60L, "no_labels", 40L, "no_modality", 7L, "missing_required_source", 3L),
            2,
            Map.of("tabular.age: not a finite number", 2L),
            List.of(),
            "m",
            "o/predictions");
    assertEquals(
        "records to score: 100 (60 of them with labels); scored: 100; left out, no source with features has "
            + "a row: 7; left out, a source with missing: drop has no row: 3; source rows rejected: 2 "
            + "{tabular.age: not a finite number=2}",
        ScoreCommand.summary(mixed));
  }

  @Test
  void aDataFailureInsideSparksWrapperKeepsItsExitCode() {
    PrepException duplicate = new PrepException("source a: key 7 twice");
    Exception wrapped =
        new org.apache.spark.SparkException("Job aborted", new RuntimeException("task", duplicate));
    assertEquals(duplicate, MtlCommand.explained(wrapped));
    assertEquals(ExitCodes.BAD_INPUT, MtlCommand.exitCode(MtlCommand.explained(wrapped)));
    var exists = new org.apache.hadoop.fs.FileAlreadyExistsException("output x already exists");
    assertEquals(ExitCodes.USAGE, MtlCommand.exitCode(MtlCommand.explained(exists)));
    assertEquals(
        null,
        MtlCommand.explained(new org.apache.spark.SparkException("Job aborted", exists)),
        "a file a task met is an unexpected failure, not a usage error");
    assertEquals(null, MtlCommand.explained(new java.io.IOException("disk full")));
  }
}
