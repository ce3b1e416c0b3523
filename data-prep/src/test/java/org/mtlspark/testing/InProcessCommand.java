package org.mtlspark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;

/**
 * A command line ({@code mtl}, {@code mtl bench}) run in the test JVM, as submit-scripts/mtl runs it
 * locally, and the checks every refusal of a command shares.
 */
public final class InProcessCommand {
  private InProcessCommand() {}

  /** An exit code and what the command printed on standard output and error (also echoed to the test's). */
  public record Outcome(int code, String out, String err) {}

  /** The settings submit-scripts/mtl passes for a local run. */
  public static void localSpark() {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.driver.host", "127.0.0.1");
    System.setProperty("spark.driver.bindAddress", "127.0.0.1");
    System.setProperty("mtl.conf.dir", SharedSpark.confDir().toString());
  }

  /** Runs {@code command} (a command line's {@code execute}) on {@code args}. */
  public static Outcome run(ToIntFunction<String[]> command, String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      code = command.applyAsInt(args);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    String errText = e.toString(StandardCharsets.UTF_8);
    Outcome outcome =
        new Outcome(code, o.toString(StandardCharsets.UTF_8), withoutShutdownNoise(errText));
    out.print(outcome.out());
    err.print(errText);
    return outcome;
  }

  /**
   * The first line of the trace a Spark RPC thread may print (through Scala's default reporter of
   * a future's callback) when the context stops while an answer is on its way: the callback's
   * thread pool is shutting down. It comes from another thread, not from the command.
   */
  private static final Pattern SHUTDOWN_NOISE =
      Pattern.compile(
          "java\\.util\\.concurrent\\.RejectedExecutionException: Task"
              + " scala\\.concurrent\\.impl\\.CallbackRunnable@\\p{XDigit}+ rejected from .*");

  /** {@code err} without {@link #SHUTDOWN_NOISE} traces (their first line and their frames). */
  static String withoutShutdownNoise(String err) {
    StringBuilder kept = new StringBuilder();
    boolean inNoise = false;
    for (String line : err.split("\\R", -1)) {
      if (SHUTDOWN_NOISE.matcher(line).matches()) {
        inNoise = true;
        continue;
      }
      if (inNoise && (line.startsWith("\t") || line.startsWith("Caused by: "))) {
        continue;
      }
      inNoise = false;
      kept.append(line).append('\n');
    }
    return kept.substring(0, Math.max(0, kept.length() - 1));
  }

  /** {@code args} followed by {@code more}. */
  public static String[] concat(String[] args, String... more) {
    String[] out = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, out, args.length, more.length);
    return out;
  }

  /** Spark's and Hadoop's log lines (the tests run without the launcher's logging configuration). */
  private static final Pattern LOG_LINE =
      Pattern.compile(
          "\\d\\d/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d [A-Z]+ .*|Using Spark's default log4j profile.*");

  /** What the command itself printed on standard error, without log lines. */
  public static List<String> messages(String err) {
    return err.lines().filter(l -> !LOG_LINE.matcher(l).matches()).toList();
  }

  /**
   * Exit {@code code}, one line holding {@code expected}, no stack trace and no Spark: the shape of
   * every refusal of a bad command line.
   */
  public static void assertRefused(Outcome o, int code, String expected) {
    assertEquals(code, o.code(), o.err());
    List<String> lines = messages(o.err());
    assertEquals(1, lines.size(), "one line: " + o.err());
    assertTrue(lines.get(0).contains(expected), "expected <" + expected + "> in: " + o.err());
    assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
    assertTrue(SparkSession.getDefaultSession().isEmpty(), "no SparkSession was created");
  }

  /**
   * Runs {@code command} on {@code args}, asserts {@link #assertRefused} and that nothing under
   * {@code dir} was written, deleted or touched.
   */
  public static void assertRefusedLeavingAlone(
      Path dir, ToIntFunction<String[]> command, int code, String expected, String... args)
      throws IOException {
    Map<String, String> before = snapshot(dir);
    Outcome o = run(command, args);
    assertRefused(o, code, expected);
    assertEquals(
        before,
        snapshot(dir),
        "nothing was written, deleted or touched: " + String.join(" ", args));
  }

  /** A folder {@code dir/name} holding {@code files}, each with its own path as content. */
  public static Path folder(Path dir, String name, String... files) throws IOException {
    Path f = Files.createDirectories(dir.resolve(name));
    for (String file : files) {
      Files.writeString(f.resolve(file), name + "/" + file);
    }
    return f;
  }

  /** Every file under {@code root} with its modification time and content, and every folder. */
  public static Map<String, String> snapshot(Path root) throws IOException {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        // A folder's own time changes with the probe a writability check writes and removes in it.
        all.put(
            root.relativize(p).toString(),
            Files.isRegularFile(p)
                ? Files.getLastModifiedTime(p).toMillis() + " " + Files.readString(p)
                : "folder");
      }
    }
    return all;
  }
}
