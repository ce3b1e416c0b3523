package org.mtlspark.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;
import org.mtlspark.testing.SharedSpark;

/** The benchmarks' command line run in the test JVM, as submit-scripts/mtl bench runs it locally. */
final class BenchCli {
  private BenchCli() {}

  /** An exit code and what the command printed on standard output and error (also echoed to the test's). */
  record Outcome(int code, String out, String err) {}

  /** The settings submit-scripts/mtl passes for a local run. */
  static void localSpark() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    System.setProperty("mtl.conf.dir", SharedSpark.confDir().toString());
  }

  /** Runs {@code mtl bench ARGS...}. */
  static Outcome bench(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = BenchCommand.execute(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    Outcome outcome =
        new Outcome(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    out.print(outcome.out());
    err.print(outcome.err());
    return outcome;
  }

  /** Spark's and Hadoop's log lines (the tests run without the launcher's logging configuration). */
  private static final Pattern LOG_LINE =
      Pattern.compile(
          "\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d [A-Z]+ .*|Using Spark's default log4j profile.*");

  /** What the command itself printed on standard error, without log lines. */
  static List<String> messages(String err) {
    return err.lines().filter(l -> !LOG_LINE.matcher(l).matches()).toList();
  }
}
