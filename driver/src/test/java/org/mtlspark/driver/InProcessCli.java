package org.mtlspark.driver;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.mtlspark.testing.SharedSpark;

/** The command line run in the test JVM, as submit-scripts/mtl runs it locally. */
final class InProcessCli {
  private InProcessCli() {}

  /** An exit code and what the command printed on standard output and error (also echoed to the test's). */
  record Outcome(int code, String out, String err) {}

  /** The settings submit-scripts/mtl passes for a local run. */
  static void localSpark() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    System.setProperty("mtl.conf.dir", SharedSpark.confDir().toString());
  }

  static Outcome mtl(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = MtlCommand.execute(args);
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

  /** {@code args} followed by {@code more}. */
  static String[] concat(String[] args, String... more) {
    String[] out = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, out, args.length, more.length);
    return out;
  }
}
