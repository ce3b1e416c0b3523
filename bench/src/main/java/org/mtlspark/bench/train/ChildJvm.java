package org.mtlspark.bench.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Starting another JVM like this one, and talking to it over its standard streams. */
final class ChildJvm {
  private ChildJvm() {}

  /**
   * The command that runs {@code main} in a new JVM with this JVM's options (its module flags and
   * system properties, a 2 GB heap) and classpath, plus the jar {@code main} was loaded from (which
   * spark-submit does not put on the system classpath).
   */
  static List<String> command(Class<?> main) {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib") && !arg.startsWith("-javaagent")) {
        command.add(arg);
      }
    }
    command.add("-Xmx2g");
    String classpath = System.getProperty("java.class.path");
    try {
      Path jar = Path.of(main.getProtectionDomain().getCodeSource().getLocation().toURI());
      classpath = jar + java.io.File.pathSeparator + classpath;
    } catch (URISyntaxException | NullPointerException e) {
      // loaded from the system classpath already
    }
    command.add("-cp");
    command.add(classpath);
    command.add(main.getName());
    return command;
  }

  /**
   * Reads the process's standard output up to the first line that starts with {@code prefix} and
   * returns it; fails with the end of its log when the process ends first.
   */
  static String await(Process p, String prefix, Path log) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    String tail = "";
    if (Files.exists(log)) {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }
    throw new IOException(
        "a child process ended before it printed '" + prefix.strip() + "'; its log:\n" + tail);
  }

  /** Deletes a folder this benchmark created, with everything in it. */
  static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(ChildJvm::deleteOne);
    } catch (IOException | UncheckedIOException e) {
      // a temporary folder; what is left is the system's to clean
    }
  }

  private static void deleteOne(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
