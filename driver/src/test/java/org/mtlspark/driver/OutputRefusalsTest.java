package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;

/**
 * No command deletes or overwrites what it did not create, and a bad place to write is a bad
 * command line: exit 2, one line naming the path, before Spark starts, with every file left as it
 * was (content and modification time). Runs the command line in process, without Spark.
 */
class OutputRefusalsTest {
  @TempDir Path dir;
  String data;
  String prep;
  String model;
  Path version;

  @BeforeEach
  void inputs() throws IOException {
    data = folder("data", "rows.csv").toString();
    prep = folder("prep", "manifest.json").toString();
    model =
        folder(
                "model",
                "model.zip",
                "manifest.json",
                "config.yaml",
                "training.json",
                "metrics.json")
            .toString();
    version =
        folder(
            "registry/events/versions/v0001",
            "model.zip",
            "manifest.json",
            "config.yaml",
            "training.json",
            "metrics.json",
            "version.json");
  }

  /** Each command with the output option {@code option} set to {@code out}, its inputs valid. */
  private List<String[]> everyCommandWriting(String out) {
    List<String[]> commands = new ArrayList<>();
    commands.add(new String[] {"generate", "--out", out});
    commands.add(new String[] {"prep", "--data", data, "--out", out});
    commands.add(new String[] {"train", "--prep", prep, "--out", out});
    commands.add(new String[] {"evaluate", "--run", model, "--prep", prep, "--out", out});
    commands.add(new String[] {"score", "--model", model, "--data", data, "--out", out});
    commands.add(new String[] {"demo", "--out", out});
    commands.add(new String[] {"report", "--run", model, "--out", out});
    return commands;
  }

  @Test
  void anOutputBelowAFileIsRefusedNamingIt() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "mine");
    String out = file.resolve("out").toString();
    for (String[] command : everyCommandWriting(out)) {
      refused(out + " cannot be written: " + "file:" + file + " is a file, not a folder", command);
    }
  }

  @Test
  void anUnwritableOutputIsRefusedNamingIt() throws IOException {
    // A folder no one may create files in, root included.
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
    String out = "/proc/mtl-output/out";
    for (String[] command : everyCommandWriting(out)) {
      refused(out + " cannot be written: ", command);
    }
    assertFalse(Files.exists(Path.of("/proc/mtl-output")));
  }

  @Test
  void nothingIsWrittenInsideARegistryVersion() throws IOException {
    String inside = version.resolve("out").toString();
    for (String[] command : everyCommandWriting(inside)) {
      refused(
          inside + " is inside the registry version file:" + version + " (it holds version.json)",
          command);
    }
    refused(
        "--run "
            + version
            + " is a registry version (it holds version.json), which evaluate does not write into; "
            + "give --out DIR",
        "evaluate",
        "--run",
        version.toString(),
        "--prep",
        prep);
    refused(
        "--out " + version + " is inside the registry version",
        "prep",
        "--data",
        data,
        "--out",
        version.toString(),
        "--overwrite");
  }

  @Test
  void trainDoesNotTakeItsPreparedDataForARunToResume() throws IOException {
    refused(
        "--out " + prep + " holds the input --prep " + prep,
        "train",
        "--prep",
        prep,
        "--out",
        prep);
    Path inside = folder("parent/prep", "manifest.json");
    refused(
        "--out " + dir.resolve("parent") + " holds the input --prep " + inside,
        "train",
        "--prep",
        inside.toString(),
        "--out",
        dir.resolve("parent").toString());
  }

  @Test
  void reportWritesOverNothingButAnEarlierReport() throws IOException {
    String zip = Path.of(model, "model.zip").toString();
    refused("--out " + zip + " already exists", "report", "--run", model, "--out", zip);
    refused(
        "--overwrite refuses " + zip + ": it is not a report of mtl report",
        "report",
        "--run",
        model,
        "--out",
        zip,
        "--overwrite");
    refused("--out " + model + " is a folder", "report", "--run", model, "--out", model);
  }

  /** retrain: a registry on an object store, and work folders that are not the run's, before Spark starts. */
  @Test
  void retrainRefusesAnUntrustworthyRegistryAndWorkFoldersItDidNotMake() throws IOException {
    String registry = dir.resolve("registry").toString();
    refused(
        "gives neither an exclusive create nor an atomic rename",
        "retrain",
        "--data",
        data,
        "--date",
        "2026-11-28",
        "--registry",
        "s3a://bucket/registry",
        "--name",
        "events",
        "--work",
        dir.resolve("work").toString());
    refused(
        "holds this run's data",
        "retrain",
        "--data",
        dir.resolve("work/2026-11-28/data").toString(),
        "--date",
        "2026-11-28",
        "--registry",
        registry,
        "--name",
        "events",
        "--work",
        dir.resolve("work").toString());
    refused(
        "is inside the registry",
        "retrain",
        "--data",
        data,
        "--date",
        "2026-11-28",
        "--registry",
        registry,
        "--name",
        "events",
        "--work",
        dir.resolve("registry/events/work").toString());
    folder("work/2026-11-28/prep", "notes.txt");
    refused(
        "was not made by retrain",
        "retrain",
        "--data",
        data,
        "--date",
        "2026-11-28",
        "--registry",
        registry,
        "--name",
        "events",
        "--work",
        dir.resolve("work").toString());
  }

  private Path folder(String name, String... files) throws IOException {
    return InProcessCommand.folder(dir, name, files);
  }

  /** Exit 2, one line holding {@code expected}, no stack trace, no Spark, and nothing under the test folder changed. */
  private void refused(String expected, String... args) throws IOException {
    InProcessCommand.assertRefusedLeavingAlone(
        dir, MtlCommand::execute, ExitCodes.USAGE, expected, args);
  }
}
