package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The command line without Spark: help, usage errors and configuration errors, all before Spark starts. */
class MtlCommandTest {
  private record Outcome(int code, String out, String err) {}

  private static Outcome run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      int code = MtlCommand.execute(args);
      return new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : new String[] {"generate", "prep", "train", "evaluate", "score", "retrain", "demo"}) {
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
    assertTrue(SparkSession.getDefaultSession().isEmpty());
  }
}
