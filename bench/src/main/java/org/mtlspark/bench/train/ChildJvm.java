package org.mtlspark.bench.train;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.fs.FileUtil;

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
   * A started process whose standard output is read line by line on a thread of its own, so that
   * waiting for a line can give up after a while.
   */
  static final class Child {
    private static final String END = new String("end of output");
    final Process process;
    private final Path log;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(Process process, Path log) {
      this.process = process;
      this.log = log;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(line);
                  }
                } catch (IOException e) {
                  // the process went away; END below says so
                } finally {
                  lines.add(END);
                }
              },
              "mtl-child-output");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * The first line of the output that starts with {@code prefix}; fails with the end of the
     * process's log when the process ends first or {@code timeout} passes.
     */
    String await(String prefix, Duration timeout) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line == END) {
          throw new IOException(
              "a child process "
                  + (line == null
                      ? "printed no '" + prefix.strip() + "' within " + timeout
                      : "ended")
                  + "; the end of its log:\n"
                  + tail());
        }
        if (line.startsWith(prefix)) {
          return line;
        }
      }
    }

    /** The last lines of the process's log. */
    String tail() throws IOException {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - 20), all.size()));
    }
  }

  /** Deletes a folder this benchmark created, with everything in it. */
  static void delete(Path dir) {
    FileUtil.fullyDelete(dir.toFile());
  }
}
