package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.driver.InProcessCli.mtl;
import static org.mtlspark.testing.InProcessCommand.concat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;

/**
 * Operating the product from the command line, as docs/operating.md shows: generate two daily
 * partitions, retrain on each (the second, warm-started and trained longer, is promoted; a weak
 * network on the same day is refused with its reason and exit code), retrain a day again (nothing
 * trained), score new data with the promoted model, write the report, roll back.
 */
class OperateIT {
  @TempDir Path dir;

  @org.junit.jupiter.api.BeforeAll
  static void localSpark() {
    InProcessCommand.localSpark();
  }

  @Test
  void retrainTwiceScoreWithThePromotedModelAndRollBack() throws Exception {
    String data = dir.resolve("events").toString();
    String registry = dir.resolve("registry").toString();
    String work = dir.resolve("work").toString();
    assertEquals(
        0,
        mtl(
                "generate",
                "--out",
                data + "/date=2026-11-27",
                "--rows",
                "1200",
                "--set",
                "generate.seed=5")
            .code());
    assertEquals(
        0,
        mtl(
                "generate",
                "--out",
                data + "/date=2026-11-28",
                "--rows",
                "1200",
                "--set",
                "generate.seed=6")
            .code());
    String[] retrain = {
      "retrain",
      "--data",
      data + "/date={date}",
      "--registry",
      registry,
      "--name",
      "demo",
      "--work",
      work,
      "--set",
      "train.epochs=2",
      "--date"
    };

    InProcessCommand.Outcome first = mtl(concat(retrain, "2026-11-27"));
    assertEquals(ExitCodes.OK, first.code(), first.out());
    assertTrue(first.out().contains("demo v0001 PROMOTED"), first.out());

    // Warm-started and trained longer, under a generous tolerance: the objective improves.
    InProcessCommand.Outcome second =
        mtl(concat(retrain, "2026-11-28", "--set", "train.epochs=6", "--tolerance", "0.5"));
    assertEquals(ExitCodes.OK, second.code(), second.out());
    assertTrue(second.out().contains("demo v0002 PROMOTED: the objective improved"), second.out());
    assertTrue(second.out().contains("warm start from v0001"), second.out());

    // A tiny trunk trained one epoch: registered, refused, and the scheduler is told by the exit
    // code.
    InProcessCommand.Outcome weak =
        mtl(
            concat(
                retrain,
                "2026-11-28",
                "--run-id",
                "2026-11-28-weak",
                "--set",
                "model.trunk=[4]",
                "--set",
                "train.epochs=1"));
    assertEquals(ExitCodes.NOT_PROMOTED, weak.code(), weak.out());
    assertTrue(
        weak.out().contains("demo v0003 NOT PROMOTED: the objective did not improve"), weak.out());
    assertTrue(weak.out().contains("training fresh: the configuration's model differ"), weak.out());

    InProcessCommand.Outcome again = mtl(concat(retrain, "2026-11-27"));
    assertEquals(ExitCodes.OK, again.code(), again.out());
    assertTrue(again.out().contains("already trained as v0001"), again.out());

    InProcessCommand.Outcome list =
        mtl("registry", "list", "--registry", registry, "--name", "demo");
    assertEquals(0, list.code());
    assertTrue(list.out().contains("v0002") && list.out().contains("2026-11-28"), list.out());

    assertEquals(
        0,
        mtl(
                "generate",
                "--out",
                dir.resolve("new").toString(),
                "--rows",
                "300",
                "--set",
                "generate.seed=7")
            .code());
    InProcessCommand.Outcome score =
        mtl(
            "score",
            "--registry",
            registry,
            "--name",
            "demo",
            "--data",
            dir.resolve("new").toString(),
            "--out",
            dir.resolve("scored").toString(),
            "--format",
            "csv");
    assertEquals(0, score.code(), score.out());
    assertTrue(Files.exists(dir.resolve("scored/score.json")));
    try (var parts = Files.list(dir.resolve("scored/predictions"))) {
      assertTrue(parts.anyMatch(p -> p.getFileName().toString().endsWith(".csv")));
    }

    // A registry version is evaluated into a folder elsewhere; the registry is not written.
    Path v1 = dir.resolve("registry/demo/versions/v0001");
    String metrics = Files.readString(v1.resolve("metrics.json"));
    long modified = Files.getLastModifiedTime(v1.resolve("metrics.json")).toMillis();
    InProcessCommand.Outcome inside =
        mtl("evaluate", "--run", v1.toString(), "--prep", work + "/2026-11-27/prep");
    assertEquals(ExitCodes.USAGE, inside.code(), inside.err());
    assertTrue(inside.err().contains("--run " + v1 + " is a registry version"), inside.err());
    InProcessCommand.Outcome elsewhere =
        mtl(
            "evaluate",
            "--run",
            v1.toString(),
            "--prep",
            work + "/2026-11-27/prep",
            "--out",
            dir.resolve("v1-eval").toString());
    assertEquals(ExitCodes.OK, elsewhere.code(), elsewhere.err());
    assertTrue(Files.exists(dir.resolve("v1-eval/metrics.json")));
    assertEquals(metrics, Files.readString(v1.resolve("metrics.json")));
    assertEquals(modified, Files.getLastModifiedTime(v1.resolve("metrics.json")).toMillis());
    InProcessCommand.Outcome show =
        mtl(
            "registry",
            "show",
            "--registry",
            registry,
            "--name",
            "demo",
            "--model-version",
            "v0001");
    assertEquals(0, show.code(), "the version's files still verify: " + show.err());

    InProcessCommand.Outcome report =
        mtl(
            "report",
            "--run",
            work + "/2026-11-28/run",
            "--registry",
            registry,
            "--name",
            "demo",
            "--out",
            dir.resolve("report.html").toString());
    assertEquals(0, report.code(), report.out());
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(
        html.contains("echarts") && html.contains("(promoted)"),
        "the report compares with the promoted model");

    InProcessCommand.Outcome back =
        mtl("registry", "rollback", "--registry", registry, "--name", "demo");
    assertEquals(0, back.code(), back.out());
    assertTrue(back.out().contains("back to v0001"), back.out());
    InProcessCommand.Outcome none =
        mtl("registry", "rollback", "--registry", registry, "--name", "demo");
    assertEquals(
        ExitCodes.REGISTRY,
        none.code(),
        "v0001 was the first promoted: " + none.out() + none.err());
    InProcessCommand.Outcome bad =
        mtl("registry", "show", "--registry", registry, "--name", "../etc");
    assertEquals(ExitCodes.REGISTRY, bad.code());
  }
}
