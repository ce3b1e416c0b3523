package org.mtlspark.driver.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.mtlspark.testing.SharedSpark;

/** Starting and stopping the JVMs of heavy tests: Spark daemons, spark-submit, the command line. */
final class JvmProcesses implements AutoCloseable {
  static final Path ROOT = SharedSpark.confDir().getParent();
  static final Path TARGET = ROOT.resolve("driver/target");
  static final Path JAR = TARGET.resolve("mtlspark.jar");
  static final Path SPARK_HOME = TARGET.resolve("spark-home");

  private final List<Process> started = new ArrayList<>();

  /** The Java 17 flags Spark needs, as the build wrote them. */
  static List<String> sparkFlags() throws IOException {
    return Arrays.asList(Files.readString(TARGET.resolve("jvm.options")).trim().split("\\s+"));
  }

  /** A Spark home made of the Maven-provided jars (the launcher looks for RELEASE). */
  static Path sparkHome() throws IOException {
    Path release = SPARK_HOME.resolve("RELEASE");
    if (!Files.exists(release)) {
      Files.writeString(release, "Spark 3.5.5 jars copied by the Maven build for tests\n");
    }
    return SPARK_HOME;
  }

  /** Starts {@code java flags... -cp classpath mainClass args...}, output to {@code log}. */
  Process java(
      String classpath,
      List<String> jvmArgs,
      String mainClass,
      List<String> args,
      Map<String, String> env,
      Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(sparkFlags());
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome().toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().put("MTL_CONF_DIR", ROOT.resolve("conf").toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** Starts {@code bash script args...} with the Spark home {@code sparkHome}, output to {@code log}. */
  Process bash(Path script, List<String> args, Path sparkHome, Map<String, String> env, Path log)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(args);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.12");
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return p;
  }

  /** The local command line: the application jar plus Spark's jars, as submit-scripts/mtl runs it. */
  Process mtl(List<String> args, Path log) throws IOException {
    return mtl(List.of(), args, log);
  }

  /** As {@link #mtl(List, Path)}, with more JVM options (e.g. {@code -Dspark.hadoop.*} settings). */
  Process mtl(List<String> jvmArgs, List<String> args, Path log) throws IOException {
    String cp = JAR + ":" + Files.readString(TARGET.resolve("spark-classpath.txt")).trim();
    List<String> options =
        new ArrayList<>(
            List.of(
                "-Xmx2g",
                "-Dspark.master=local[2]",
                "-Dmtl.conf.dir=" + ROOT.resolve("conf"),
                "-Dlog4j2.configurationFile=" + ROOT.resolve("conf/log4j2.properties")));
    options.addAll(jvmArgs);
    return java(cp, options, "org.mtlspark.driver.MtlCommand", args, Map.of(), log);
  }

  /** {@code args} followed by {@code more}. */
  static List<String> concat(List<String> args, String... more) {
    List<String> out = new ArrayList<>(args);
    out.addAll(List.of(more));
    return out;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static void await(String what, long seconds, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + seconds + "s waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** Stops every process started here, and their children, by process id. */
  @Override
  public void close() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : started) {
      try {
        p.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
