package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.driver.InProcessCli.mtl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;

/**
 * Commands that fail on their data exit with 3 and one line naming the file and column, and leave
 * nothing beside their output folder; --overwrite replaces an earlier output of the same command,
 * and keeps it when the new run fails.
 */
class CommandFailuresIT {
  @TempDir static Path dir;
  static String data;

  @BeforeAll
  static void generate() {
    InProcessCommand.localSpark();
    data = dir.resolve("data").toString();
    assertEquals(
        0,
        mtl("generate", "--out", data, "--rows", "400", "--set", "generate.malformedRate=0.05")
            .code());
  }

  /** Exit 3 with one line on standard error holding {@code expected}, no stack trace. */
  private static void badData(InProcessCommand.Outcome o, String expected) {
    assertEquals(ExitCodes.BAD_INPUT, o.code(), o.err());
    List<String> lines = InProcessCommand.messages(o.err());
    assertEquals(1, lines.size(), "one line: " + o.err());
    assertTrue(
        lines.get(0).startsWith("error: ") && lines.get(0).contains(expected),
        "expected <" + expected + "> in: " + o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
  }

  /** Fails when {@code out}, or a hidden staging folder of it ({@code .out-<uuid>.tmp}), is beside it. */
  private static void nothingLeftOf(String out) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      List<String> left =
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.equals(out) || n.startsWith("." + out + "-"))
              .toList();
      assertEquals(List.of(), left, "a failed run leaves nothing beside --out");
    }
  }

  @Test
  void tooManyRejectsExitThreeAndLeaveNoStagingFolder() throws IOException {
    InProcessCommand.Outcome o =
        mtl(
            "prep",
            "--data",
            data,
            "--out",
            dir.resolve("strict").toString(),
            "--set",
            "prep.maxRejectFraction=0.001");
    badData(o, "were rejected, more than prep.maxRejectFraction = 0.001; by reason: {");
    assertTrue(o.err().contains("the first: source "), o.err());
    nothingLeftOf("strict");
  }

  @Test
  void aMisspeltColumnIsNamedWithTheClosestOneBeforeAnyRowIsRead() throws IOException {
    Path csv = dir.resolve("misspelt-csv.yaml");
    Files.writeString(
        csv,
        """
        data:
          sources:
            - {name: tabular, format: csv, path: tabular, numeric: [age, incme, visits, tenure], categorical: [region]}
            - {name: labels, format: csv, path: labels}
        """);
    badData(
        mtl("prep", "-c", csv.toString(), "--data", data, "--out", dir.resolve("p1").toString()),
        "source tabular: file "
            + "file:"
            + data
            + "/tabular/part-00000.csv has no column 'incme' (did you mean "
            + "'income'?) (nor has any of the source's 2 files)");
    Path parquet = dir.resolve("misspelt-parquet.yaml");
    Files.writeString(
        parquet,
        """
        data:
          sources:
            - {name: images, format: parquet, path: images, image: pixles}
            - {name: labels, format: csv, path: labels}
        """);
    badData(
        mtl(
            "prep",
            "-c",
            parquet.toString(),
            "--data",
            data,
            "--out",
            dir.resolve("p2").toString()),
        "have no column 'pixles' (did you mean 'pixels'?)");
    nothingLeftOf("p1");
    nothingLeftOf("p2");
  }

  @Test
  void overwriteReplacesAnEarlierPrepOutput() throws IOException {
    String out = dir.resolve("prepared").toString();
    assertEquals(0, mtl("prep", "--data", data, "--out", out).code());
    String before = Files.readString(dir.resolve("prepared/manifest.json"));
    InProcessCommand.Outcome again = mtl("prep", "--data", data, "--out", out);
    assertEquals(ExitCodes.USAGE, again.code());
    assertTrue(again.err().contains("--out " + out + " already exists"), again.err());
    assertEquals(0, mtl("prep", "--data", data, "--out", out, "--overwrite").code());
    assertNotEquals(
        before,
        Files.readString(dir.resolve("prepared/manifest.json")),
        "written again (its time)");
    assertTrue(Files.isDirectory(dir.resolve("data/tabular")), "the input is kept");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of(),
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".prepared-")).toList(),
          "the earlier output set aside is gone once the new one is written");
    }
  }

  @Test
  void anOverwriteThatFailsKeepsTheEarlierOutput() throws IOException {
    String out = dir.resolve("kept").toString();
    assertEquals(0, mtl("prep", "--data", data, "--out", out).code());
    String before = Files.readString(dir.resolve("kept/manifest.json"));
    badData(
        mtl(
            "prep",
            "--data",
            data,
            "--out",
            out,
            "--overwrite",
            "--set",
            "prep.maxRejectFraction=0.001"),
        "were rejected, more than prep.maxRejectFraction");
    assertEquals(
        before,
        Files.readString(dir.resolve("kept/manifest.json")),
        "the earlier output is back, unchanged");
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(
          List.of(),
          s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".kept-")).toList(),
          "no staging or set-aside folder is left");
    }
  }
}
