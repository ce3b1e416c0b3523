package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.testing.InProcessCommand;

/**
 * A benchmark empties its scratch folder and replaces its results file: it refuses, in one line with
 * exit 2 before Spark starts and with every file left as it was, any folder or file it did not
 * write. Runs the command line in process, without Spark.
 */
class BenchOutputRefusalsTest {
  @TempDir Path dir;

  /** Each benchmark with its scratch folder or results file set to {@code out}. */
  private List<String[]> everyBenchmarkWriting(String out) {
    return List.of(
        new String[] {"train", "--work", out},
        new String[] {"quality", "--work", out},
        new String[] {"train", "--work", dir.resolve("scratch").toString(), "--out", out});
  }

  @Test
  void everyBenchmarkHasHelp() {
    InProcessCommand.Outcome all = InProcessCommand.run(BenchCommand::execute, "--help");
    assertEquals(ExitCodes.OK, all.code());
    for (String name :
        new String[] {"train", "prep", "quality", "multimnist", "scaling", "summary"}) {
      assertTrue(all.out().contains(name), all.out());
      InProcessCommand.Outcome o = InProcessCommand.run(BenchCommand::execute, name, "--help");
      assertEquals(ExitCodes.OK, o.code(), name);
      assertTrue(o.out().contains("Usage: mtl bench " + name), o.out());
    }
  }

  @Test
  void anOutputBelowAFileIsRefusedNamingIt() throws IOException {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "mine");
    String out = file.resolve("out").toString();
    for (String[] command : everyBenchmarkWriting(out)) {
      refused(out + " cannot be written: " + "file:" + file + " is a file, not a folder", command);
    }
  }

  @Test
  void anUnwritableOutputIsRefusedNamingIt() throws IOException {
    // A folder no one may create files in, root included.
    Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
    String out = "/proc/mtl-output/out";
    for (String[] command : everyBenchmarkWriting(out)) {
      refused(out + " cannot be written: ", command);
    }
    assertFalse(Files.exists(Path.of("/proc/mtl-output")));
  }

  @Test
  void nothingIsWrittenInsideARegistryVersion() throws IOException {
    Path version =
        folder(
            "registry/events/versions/v0001",
            "model.zip",
            "manifest.json",
            "config.yaml",
            "training.json",
            "metrics.json",
            "version.json");
    String inside = version.resolve("out").toString();
    for (String[] command : everyBenchmarkWriting(inside)) {
      refused(
          inside + " is inside the registry version file:" + version + " (it holds version.json)",
          command);
    }
  }

  @Test
  void aFolderOrFileNoBenchmarkWroteIsRefusedAndAnEarlierResultsFileIsNot() throws IOException {
    Path out = folder("out", "notes.txt");
    refused(
        "--work "
            + out
            + " exists and is not a benchmark's scratch folder (it holds no .mtl-bench-scratch)",
        "train",
        "--work",
        out.toString());
    Path notes = dir.resolve("notes.json");
    Files.writeString(notes, "{\"mine\": true}");
    refused(
        "--out " + notes + " exists and is not a benchmark's results file",
        "train",
        "--out",
        notes.toString(),
        "--work",
        dir.resolve("scratch").toString());
    Path earlier = dir.resolve("earlier.json");
    Files.writeString(earlier, "{\"title\": \"Training\", \"machine\": {}, \"tables\": []}");
    InProcessCommand.Outcome replaced =
        InProcessCommand.run(
            BenchCommand::execute,
            "train",
            "--out",
            earlier.toString(),
            "--work",
            dir.resolve("scratch").toString());
    assertTrue(
        replaced.err().contains("no Spark master is set"),
        "an earlier results file passes the checks, "
            + "which leave only Spark's start to fail here: "
            + replaced.err());
    assertEquals("{\"mine\": true}", Files.readString(notes));
    assertTrue(Files.exists(out.resolve("notes.txt")));
    assertFalse(Files.exists(dir.resolve("scratch")), "nothing was created");
  }

  @Test
  void aScratchFolderHoldingItsInputOrFilesNoBenchmarkWroteIsRefused() throws IOException {
    // An earlier benchmark's scratch folder, with the data it generated reused as input.
    Path work = folder("work", BenchCommand.SCRATCH_MARKER);
    folder("work/data/tabular", "part-00000.csv");
    folder("work/prep-all", "manifest.json");
    refused(
        "--work "
            + work
            + " holds the input "
            + work.resolve("data")
            + ", which emptying it would delete",
        "quality",
        "--work",
        work.toString(),
        "--data",
        work.resolve("data").toString());
    refused(
        "--work " + work + " holds the input " + work,
        "quality",
        "--work",
        work.toString(),
        "--data",
        work.toString());
    refused(
        "--out " + work.resolve("results.json") + " is inside --work " + work,
        "train",
        "--work",
        work.toString(),
        "--out",
        work.resolve("results.json").toString());
    Files.writeString(work.resolve("thesis.tex"), "mine");
    refused(
        "--work " + work + " holds thesis.tex, which no benchmark writes",
        "train",
        "--work",
        work.toString());
    Path config = folder("work2", BenchCommand.SCRATCH_MARKER).resolve("run-mine.yaml");
    Files.writeString(config, "train: {epochs: 1}\n");
    refused(
        "holds the input " + config,
        "train",
        "-c",
        config.toString(),
        "--work",
        dir.resolve("work2").toString());
  }

  @Test
  void unknownPeersAndBadPeerSettingsAreRefusedBeforeSparkStarts() throws IOException {
    String work = dir.resolve("work").toString();
    refused("--peers: unknown peer forest", "quality", "--peers", "gbt,forest", "--work", work);
    refused("--peers: unknown peer none", "quality", "--peers", "none,gbt", "--work", work);
    refused("--seeds must be at least 1", "quality", "--seeds", "0", "--work", work);
    refused(
        "--models: unknown model hard (single-task, or sharing+fusion[+weighting]: sharing"
            + " hard|soft|mmoe|ple, fusion concat|attention|spatial, weighting"
            + " static|dwa|inverse_loss|uncertainty|gradnorm|pcgrad|mgda|mgda_ub)",
        "quality",
        "--models",
        "single-task,hard",
        "--work",
        work);
    refused(
        "--models: unknown model hard+concat+magic",
        "quality",
        "--models",
        "hard+concat+magic",
        "--work",
        work);
    refused(
        "--models: hard+concat+pcgrad needs train.engine: resident",
        "quality",
        "--models",
        "hard+concat+pcgrad",
        "--set",
        "train.engine=dl4j",
        "--work",
        work);
    // Each variant is checked as the configuration it becomes, before anything is trained.
    refused(
        "--models: mmoe+concat+mgda_ub cannot be built from this configuration:"
            + " train.taskWeighting: mgda_ub needs model.sharing: hard",
        "quality",
        "--models",
        "hard+concat,mmoe+concat+mgda_ub",
        "--work",
        work);
    refused(
        "--models: soft+concat cannot be built from this configuration: model.trunk:",
        "quality",
        "--models",
        "soft+concat",
        "--set",
        "model.trunk=[]",
        "--work",
        work);
    Path oneTask = dir.resolve("one-task.yaml");
    Files.writeString(
        oneTask, "tasks:\n  - {name: spend, type: regression, source: labels, column: spend}\n");
    refused(
        "configure at least two tasks, or leave single-task out of --models",
        "quality",
        "--config",
        oneTask.toString(),
        "--work",
        work);
    refused(
        "the trees' subsampling rate must be in (0, 1]",
        "quality",
        "--gbt-subsample",
        "1.5",
        "--work",
        work);
  }

  @Test
  void aMissingBenchmarkInputIsNamedBeforeTheScratchFolderIsTouched() throws IOException {
    Path work = folder("work", BenchCommand.SCRATCH_MARKER, "data-100");
    String missing = dir.resolve("mnist").toString();
    refused(
        "--mnist " + missing + " does not exist",
        "multimnist",
        "-c",
        Path.of("../conf/examples/multimnist.yaml").toAbsolutePath().normalize().toString(),
        "--mnist",
        missing,
        "--work",
        work.toString());
    refused(
        "--data " + missing + " does not exist",
        "quality",
        "--data",
        missing,
        "--work",
        work.toString());
  }

  @Test
  void aWeightingTheConfigurationRefusesIsNamedBeforeAnyModelTrains() throws IOException {
    // A retrieval task is trained with summed losses only: MGDA-UB would fail after the
    // single-task models had trained for hours.
    Path work = folder("work", BenchCommand.SCRATCH_MARKER);
    refused(
        "--weightings: mgda_ub cannot train this configuration",
        "multimnist",
        "-c",
        Path.of("../conf/examples/multimnist-retrieval.yaml")
            .toAbsolutePath()
            .normalize()
            .toString(),
        "--mnist",
        folder("mnist").toString(),
        "--weightings",
        "mgda_ub",
        "--work",
        work.toString());
  }

  @Test
  void summaryReplacesOnlyAnEarlierSummary() throws IOException {
    Path suite = folder("suite", "results.md");
    Files.writeString(
        suite.resolve("train.json"), "{\"title\": \"t\", \"machine\": {}, \"tables\": []}");
    refused(
        "--dir " + suite + " holds a results.md without an earlier summary's results.json",
        "summary",
        "--dir",
        suite.toString());
    Files.writeString(suite.resolve("results.json"), "{\"mine\": 1}");
    refused(
        "--dir " + suite + " holds a results.json that is not an earlier summary's",
        "summary",
        "--dir",
        suite.toString());
  }

  private Path folder(String name, String... files) throws IOException {
    return InProcessCommand.folder(dir, name, files);
  }

  /** Exit 2, one line holding {@code expected}, no stack trace, no Spark, and nothing under the test folder changed. */
  private void refused(String expected, String... args) throws IOException {
    InProcessCommand.assertRefusedLeavingAlone(
        dir, BenchCommand::execute, ExitCodes.USAGE, expected, args);
  }
}
