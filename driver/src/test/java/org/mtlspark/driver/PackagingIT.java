package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mtlspark.testing.SharedSpark;

/** The application jar and the scripts that launch it (runs after `package`). */
class PackagingIT {
  static final Path ROOT = SharedSpark.confDir().getParent();
  static final Path JAR = ROOT.resolve("driver/target/mtlspark.jar");

  @Test
  void theShadedJarHoldsNoSparkAndStaysUnder200MB() throws IOException {
    assertTrue(Files.size(JAR) <= 200L * 1024 * 1024, "jar size " + Files.size(JAR));
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> spark =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> n.startsWith("org/apache/spark/") || n.startsWith("scala/"))
              .limit(5)
              .toList();
      assertEquals(List.of(), spark);
      assertEquals(
          "org.mtlspark.driver.MtlCommand",
          jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(
          jar.getEntry("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so")
              != null);
      assertTrue(
          jar.stream()
              .noneMatch(e -> e.getName().matches("org/bytedeco/[^/]+/(windows|macosx)-.*")));
      String services =
          new String(
              jar.getInputStream(
                      jar.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"))
                  .readAllBytes(),
              StandardCharsets.UTF_8);
      assertTrue(
          services.contains("CpuBackend"), "ND4J finds its CPU backend through META-INF/services");
      assertTrue(
          jar.getEntry("org/mtlspark/config/defaults.yaml") != null, "defaults are packaged");
    }
  }

  /** A class of the benchmarks: in a package named bench, or named Bench* or *Benchmark*. */
  static final Pattern BENCHMARK_CLASS =
      Pattern.compile("org/mtlspark/(.+/)?(bench/.*|Bench[^/]*|[^/]*Benchmark[^/]*)\\.class");

  @Test
  void theApplicationJarHoldsNoBenchmark() throws IOException {
    // The benchmarks are the bench module's (bench/target/mtlspark-bench.jar, run by mtl bench).
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> benchmarks =
          jar.stream()
              .map(e -> e.getName())
              .filter(n -> BENCHMARK_CLASS.matcher(n).matches())
              .limit(10)
              .toList();
      assertEquals(List.of(), benchmarks, "benchmark classes in " + JAR);
      assertTrue(
          jar.getEntry("org/mtlspark/driver/MtlCommand.class") != null,
          "the pattern looks at class entries");
    }
    assertTrue(BENCHMARK_CLASS.matcher("org/mtlspark/bench/BenchCommand$Train.class").matches());
    assertTrue(BENCHMARK_CLASS.matcher("org/mtlspark/workers/bench/SeedWorkload.class").matches());
    assertTrue(BENCHMARK_CLASS.matcher("org/mtlspark/driver/BenchResults.class").matches());
    assertTrue(BENCHMARK_CLASS.matcher("org/mtlspark/prep/PrepBenchmark.class").matches());
    assertFalse(BENCHMARK_CLASS.matcher("org/mtlspark/workers/eval/TaskMetrics.class").matches());
  }

  @Test
  void everySubmitScriptIsValidShellAndNamesClassesAndJarsThatExist() throws Exception {
    List<Path> scripts;
    try (Stream<Path> s = Files.list(ROOT.resolve("submit-scripts"))) {
      scripts = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertFalse(scripts.isEmpty());
    for (Path script : scripts) {
      Process p =
          new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), script + " is not valid bash: " + out);
      if (onPath("shellcheck")) {
        Process check =
            new ProcessBuilder("shellcheck", "-x", script.toString())
                .redirectErrorStream(true)
                .start();
        String findings = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, check.waitFor(), "shellcheck " + script + ":\n" + findings);
      }
      assertTrue(Files.isExecutable(script), script + " is executable");
      assertEquals(
          List.of(),
          missingReferences(Files.readString(script)),
          script + " names things the build does not have");
    }
  }

  static boolean onPath(String program) {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
        .anyMatch(d -> Files.isExecutable(Path.of(d, program)));
  }

  /**
   * The classes and build outputs a text names that do not exist. The benchmarks' classes
   * (org.mtlspark.bench) are built after this module: the bench module checks those.
   */
  static List<String> missingReferences(String text) {
    Pattern classRef = Pattern.compile("org\\.mtlspark\\.[A-Za-z.]+[A-Z][A-Za-z]+");
    Pattern jarRef = Pattern.compile("driver/target/[A-Za-z.-]+\\.(jar|txt|options)");
    List<String> missing = new ArrayList<>();
    Matcher m = classRef.matcher(text);
    while (m.find()) {
      if (m.group().startsWith("org.mtlspark.bench.")) {
        continue;
      }
      try {
        Class.forName(m.group());
      } catch (ClassNotFoundException e) {
        missing.add(m.group());
      }
    }
    Matcher j = jarRef.matcher(text);
    while (j.find()) {
      if (!Files.isRegularFile(ROOT.resolve(j.group()))) {
        missing.add(j.group());
      }
    }
    return missing;
  }

  /** Every option a scheduling example gives to retrain, which retrain must accept. */
  static List<String> unknownRetrainOptions(String text) {
    picocli.CommandLine.Model.CommandSpec retrain =
        new picocli.CommandLine(new MtlCommand()).getSubcommands().get("retrain").getCommandSpec();
    List<String> unknown = new ArrayList<>();
    Matcher m =
        Pattern.compile("(?<![\\w-])--[a-z][a-z-]+")
            .matcher(text.substring(text.indexOf("retrain")));
    int found = 0;
    while (m.find()) {
      found++;
      if (retrain.findOption(m.group()) == null
          && !m.group().matches("--(master|deploy-mode|conf|properties-file|class)")) {
        unknown.add(m.group());
      }
    }
    assertTrue(found >= 5, "retrain is given its options: " + found);
    return unknown;
  }

  @Test
  void theSchedulingExamplesRunRetrainWithOptionsClassesAndFilesThatExist() throws Exception {
    Path dir = ROOT.resolve("submit-scripts/schedule");
    // crontab: five time fields, then a command running an existing script.
    for (String line : Files.readAllLines(dir.resolve("crontab"))) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.trim().split("\\s+", 6);
      for (int i = 0; i < 5; i++) {
        assertTrue(f[i].matches("[0-9*,/-]+"), "cron field " + i + ": " + f[i]);
      }
      Matcher script = Pattern.compile("submit-scripts/[a-z.]+").matcher(f[5]);
      assertTrue(script.find() && Files.isExecutable(ROOT.resolve(script.group())), f[5]);
      assertTrue(f[5].contains(" retrain "), f[5]);
      assertEquals(List.of(), unknownRetrainOptions(f[5]), "crontab");
    }
    // The CronJob: a valid manifest whose container runs retrain through spark-submit.
    Map<String, Object> job =
        new org.yaml.snakeyaml.Yaml().load(Files.readString(dir.resolve("retrain-cronjob.yaml")));
    assertEquals("CronJob", job.get("kind"));
    String yaml = Files.readString(dir.resolve("retrain-cronjob.yaml"));
    assertTrue(
        ((String) ((Map<?, ?>) job.get("spec")).get("schedule")).matches("(\\S+\\s+){4}\\S+"));
    assertTrue(
        yaml.contains("org.mtlspark.driver.MtlCommand")
            && yaml.contains("local:///opt/mtlspark/mtlspark.jar"));
    assertEquals(List.of(), missingReferences(yaml), "CronJob");
    assertEquals(List.of(), unknownRetrainOptions(yaml), "CronJob");
    // The Airflow DAG: Python that parses, with SparkSubmitOperator running retrain from the built
    // jar.
    String dag = Files.readString(dir.resolve("retrain_dag.py"));
    assertTrue(
        dag.contains("SparkSubmitOperator(") && dag.contains("\"retrain\""),
        "the DAG submits retrain");
    assertEquals(List.of(), missingReferences(dag), "DAG");
    assertEquals(List.of(), unknownRetrainOptions(dag), "DAG");
    if (onPath("python3")) {
      Process p =
          new ProcessBuilder(
                  "python3",
                  "-c",
                  "import ast,sys; ast.parse(open(sys.argv[1]).read())",
                  dir.resolve("retrain_dag.py").toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), "retrain_dag.py is not valid Python: " + out);
    }
  }
}
