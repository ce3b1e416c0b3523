package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.SharedSpark;

/** The benchmarks' jar and the scripts that run it (runs after `package`, with the application jar built). */
class BenchPackagingIT {
  static final Path ROOT = SharedSpark.confDir().getParent();
  static final Path JAR = ROOT.resolve("bench/target/mtlspark-bench.jar");

  @Test
  void theBenchmarkJarHoldsOnlyTheBenchmarks() throws IOException {
    // Everything else comes from the application jar, which submit-scripts/mtl puts beside it.
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> foreign =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.endsWith(".class") && !n.startsWith("org/mtlspark/bench/"))
              .limit(10)
              .toList();
      assertEquals(List.of(), foreign);
      assertTrue(jar.getEntry("org/mtlspark/bench/BenchCommand.class") != null);
    }
  }

  @Test
  void theLocalScriptPutsSparkMllibOnTheBenchmarksClasspath() throws IOException {
    // bench quality's peers need Spark MLlib, which the application jar must not hold (the
    // driver's PackagingIT checks it holds no org.apache.spark class): submit-scripts/mtl adds
    // the benchmarks' own provided dependencies for a local run.
    Path file = ROOT.resolve("bench/target/bench-classpath.txt");
    List<String> jars = List.of(Files.readString(file).trim().split(java.io.File.pathSeparator));
    assertTrue(
        jars.stream().anyMatch(j -> j.contains("spark-mllib_") && Files.isRegularFile(Path.of(j))),
        jars.toString());
    assertTrue(
        Files.readString(ROOT.resolve("submit-scripts/mtl"))
            .contains("bench/target/bench-classpath.txt"));
  }

  @Test
  void theSubmitScriptsNameBenchmarkClassesAndJarsThatExist() throws IOException {
    // The driver's packaging test checks the rest of what the scripts name.
    Pattern classRef = Pattern.compile("org\\.mtlspark\\.bench\\.[A-Za-z.]*[A-Z][A-Za-z]+");
    Pattern jarRef = Pattern.compile("bench/target/[A-Za-z.-]+\\.jar");
    List<Path> scripts;
    try (Stream<Path> s = Files.list(ROOT.resolve("submit-scripts"))) {
      scripts = s.filter(Files::isRegularFile).sorted().toList();
    }
    int found = 0;
    List<String> missing = new ArrayList<>();
    for (Path script : scripts) {
      String text = Files.readString(script);
      Matcher m = classRef.matcher(text);
      while (m.find()) {
        found++;
        try {
          Class.forName(m.group());
        } catch (ClassNotFoundException e) {
          missing.add(script.getFileName() + ": " + m.group());
        }
      }
      Matcher j = jarRef.matcher(text);
      while (j.find()) {
        found++;
        if (!Files.isRegularFile(ROOT.resolve(j.group()))) {
          missing.add(script.getFileName() + ": " + j.group());
        }
      }
    }
    assertTrue(found >= 2, "submit-scripts/mtl names the benchmarks' class and jar");
    assertEquals(List.of(), missing);
  }

  /** Runs a submit script; its exit code and what it printed. */
  private static String[] script(String... command) throws Exception {
    List<String> args = new ArrayList<>(List.of("bash"));
    args.add(ROOT.resolve(command[0]).toString());
    args.addAll(List.of(command).subList(1, command.length));
    Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new String[] {String.valueOf(p.waitFor()), out};
  }

  @Test
  void mtlBenchRunsTheBenchmarksCommandLine() throws Exception {
    String[] help = script("submit-scripts/mtl", "bench", "--help");
    assertEquals("0", help[0], help[1]);
    assertTrue(help[1].contains("Usage: mtl bench"), help[1]);
    String[] summary = script("submit-scripts/mtl", "bench", "summary", "--help");
    assertEquals("0", summary[0], summary[1]);
    assertTrue(
        summary[1].contains("Usage: mtl bench summary") && summary[1].contains("--dir"),
        summary[1]);
  }

  @Test
  void aSubmittedBenchmarkShipsTheApplicationJarBesideItsOwn(@TempDir Path sparkHome)
      throws Exception {
    // MTL_SUBMIT_DRY_RUN prints the spark-submit options; the user's --jars are kept.
    ProcessBuilder pb =
        new ProcessBuilder(
            "bash",
            ROOT.resolve("submit-scripts/submit.sh").toString(),
            "--master",
            "spark://h:7077",
            "--jars",
            "extra.jar",
            "--",
            "bench",
            "prep");
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("MTL_SUBMIT_DRY_RUN", "1");
    pb.environment().remove("SPARK_CONF_DIR");
    pb.environment().remove("MTL_JAR");
    Process p = pb.redirectErrorStream(true).start();
    List<String> args =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertEquals(0, p.waitFor(), String.join("\n", args));
    int jars = args.indexOf("--jars");
    assertTrue(jars >= 0, args.toString());
    assertEquals(ROOT.resolve("driver/target/mtlspark.jar") + ",extra.jar", args.get(jars + 1));
  }

  @Test
  void theBenchmarkSuiteReplacesOnlyAnOutputItWrote(@TempDir Path dir) throws Exception {
    Path mine = Files.createDirectories(dir.resolve("results"));
    Files.writeString(mine.resolve("thesis.tex"), "not a benchmark");
    String[] r = script("submit-scripts/bench-suite", "--quick", "--out", mine.toString());
    assertEquals("2", r[0], r[1]);
    assertTrue(
        r[1].contains("--out " + mine + " exists and is not an earlier bench-suite output"), r[1]);
    assertEquals(
        "not a benchmark",
        Files.readString(mine.resolve("thesis.tex")),
        "nothing of it is touched");
  }
}
