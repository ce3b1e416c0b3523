package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operating the product from the command line, as the README shows: generate two daily
 * partitions, retrain on each (the second promoted or refused with its reason), retrain a day
 * again (nothing trained), score new data with the promoted model, write the report, roll back.
 */
class OperateIT {
  @TempDir Path dir;

  private record Outcome(int code, String out) {}

  private static Outcome mtl(String... args) {
    PrintStream out = System.out;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      int code = MtlCommand.execute(args);
      return new Outcome(code, o.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      out.print(o.toString(StandardCharsets.UTF_8));
    }
  }

  @org.junit.jupiter.api.BeforeAll
  static void localSpark() {
    // What submit-scripts/mtl passes for a local run.
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    System.setProperty("mtl.conf.dir", org.mtlspark.testing.SharedSpark.confDir().toString());
  }

  @Test
  void retrainTwiceScoreWithThePromotedModelAndRollBack() throws Exception {
    String data = dir.resolve("events").toString();
    String registry = dir.resolve("registry").toString();
    String work = dir.resolve("work").toString();
    assertEquals(0, mtl("generate", "--out", data + "/date=2026-11-27", "--rows", "1200",
        "--set", "generate.seed=5").code());
    assertEquals(0, mtl("generate", "--out", data + "/date=2026-11-28", "--rows", "1200",
        "--set", "generate.seed=6").code());
    String[] retrain = {"retrain", "--data", data + "/date={date}", "--registry", registry, "--name", "demo",
        "--work", work, "--set", "train.epochs=2", "--date"};

    Outcome first = mtl(concat(retrain, "2026-11-27"));
    assertEquals(ExitCodes.OK, first.code(), first.out());
    assertTrue(first.out().contains("demo v0001 PROMOTED"), first.out());

    Outcome second = mtl(concat(retrain, "2026-11-28"));
    assertTrue(second.code() == ExitCodes.OK || second.code() == ExitCodes.NOT_PROMOTED, second.out());
    assertTrue(second.out().contains("demo v0002 " + (second.code() == 0 ? "PROMOTED" : "NOT PROMOTED: ")),
        second.out());
    assertTrue(second.out().contains("warm start from v0001"), second.out());

    Outcome again = mtl(concat(retrain, "2026-11-27"));
    assertEquals(ExitCodes.OK, again.code(), again.out());
    assertTrue(again.out().contains("already trained as v0001"), again.out());

    Outcome list = mtl("registry", "list", "--registry", registry, "--name", "demo");
    assertEquals(0, list.code());
    assertTrue(list.out().contains("v0002") && list.out().contains("2026-11-28"), list.out());

    assertEquals(0, mtl("generate", "--out", dir.resolve("new").toString(), "--rows", "300",
        "--set", "generate.seed=7").code());
    Outcome score = mtl("score", "--registry", registry, "--name", "demo", "--data", dir.resolve("new").toString(),
        "--out", dir.resolve("scored").toString(), "--format", "csv");
    assertEquals(0, score.code(), score.out());
    assertTrue(Files.exists(dir.resolve("scored/score.json")));
    try (var parts = Files.list(dir.resolve("scored/predictions"))) {
      assertTrue(parts.anyMatch(p -> p.getFileName().toString().endsWith(".csv")));
    }

    Outcome report = mtl("report", "--run", work + "/2026-11-28/run", "--registry", registry, "--name", "demo",
        "--out", dir.resolve("report.html").toString());
    assertEquals(0, report.code(), report.out());
    String html = Files.readString(dir.resolve("report.html"));
    assertTrue(html.contains("echarts") && html.contains("(promoted)"), "the report compares with the promoted model");

    if (second.code() == ExitCodes.OK) {
      Outcome back = mtl("registry", "rollback", "--registry", registry, "--name", "demo");
      assertEquals(0, back.code(), back.out());
      assertTrue(back.out().contains("back to v0001"), back.out());
    } else {
      Outcome none = mtl("registry", "rollback", "--registry", registry, "--name", "demo");
      assertEquals(ExitCodes.REGISTRY, none.code(), "only v0001 was ever promoted");
    }
    Outcome bad = mtl("registry", "show", "--registry", registry, "--name", "../etc");
    assertEquals(ExitCodes.REGISTRY, bad.code());
  }

  private static String[] concat(String[] a, String last) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = last;
    return out;
  }
}
