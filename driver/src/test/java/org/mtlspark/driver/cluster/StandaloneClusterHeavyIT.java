package org.mtlspark.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A real Spark standalone cluster on 127.0.0.1 (a master and two one-core workers started from the
 * Maven-provided jars), the shaded jar submitted through submit-scripts/submit.sh with a Spark home
 * that has its own spark-defaults.conf: the site's settings reach the application, the demo trains
 * to the same quality as in local mode, and survives an executor killed in the middle of training.
 */
class StandaloneClusterHeavyIT {
  @TempDir static Path dir;
  static JvmProcesses jvms = new JvmProcesses();
  static String master;
  static List<Process> workers = new ArrayList<>();
  static Path siteHome;
  static Path events;

  @BeforeAll
  static void startCluster() throws Exception {
    String cp = JvmProcesses.sparkHome().resolve("jars") + "/*";
    int port = JvmProcesses.freePort();
    master = "spark://127.0.0.1:" + port;
    events = dir.resolve("events");
    Path masterLog = dir.resolve("master.log");
    jvms.java(
        cp,
        List.of("-Xmx512m"),
        "org.apache.spark.deploy.master.Master",
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            String.valueOf(port),
            "--webui-port",
            String.valueOf(JvmProcesses.freePort())),
        Map.of(),
        masterLog);
    for (int i = 0; i < 2; i++) {
      Path work = Files.createDirectories(dir.resolve("worker" + i));
      workers.add(
          jvms.java(
              cp,
              List.of("-Xmx512m"),
              "org.apache.spark.deploy.worker.Worker",
              List.of(
                  master,
                  "--host",
                  "127.0.0.1",
                  "--cores",
                  "1",
                  "--memory",
                  "4g",
                  "--work-dir",
                  work.toString(),
                  "--webui-port",
                  String.valueOf(JvmProcesses.freePort())),
              Map.of(),
              dir.resolve("worker" + i + ".log")));
    }
    JvmProcesses.await(
        "two workers registered with the master",
        90,
        () -> JvmProcesses.read(masterLog).split("Registering worker", -1).length - 1 >= 2);
    siteHome = siteSparkHome();
  }

  /**
   * A Spark installation as a site has it: the Maven-provided jars, a bin/spark-submit, and its own
   * conf/spark-defaults.conf with an event log, a marker, the executors' size and the addresses.
   */
  static Path siteSparkHome() throws Exception {
    Path home = Files.createDirectories(dir.resolve("site-spark"));
    Files.createSymbolicLink(home.resolve("jars"), JvmProcesses.sparkHome().resolve("jars"));
    Files.writeString(
        home.resolve("RELEASE"), "Spark 3.5.5 jars copied by the Maven build for tests\n");
    Path bin = Files.createDirectories(home.resolve("bin"));
    // In client mode a real spark-submit starts the driver with spark.driver.extraJavaOptions;
    // this one starts it with the logging configuration submit.sh puts there.
    Files.writeString(
        bin.resolve("spark-submit"),
        "#!/usr/bin/env bash\n"
            + "exec \""
            + Paths.get(System.getProperty("java.home"), "bin", "java")
            + "\" "
            + String.join(" ", JvmProcesses.sparkFlags())
            + " -Xmx2g "
            + "-Dlog4j2.configurationFile="
            + JvmProcesses.ROOT.resolve("conf/log4j2.properties")
            + " "
            + "-cp \"$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(
        bin.resolve("spark-submit"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(events);
    Files.createDirectories(home.resolve("conf"));
    Files.writeString(
        home.resolve("conf/spark-defaults.conf"),
        String.join(
            "\n",
            "spark.eventLog.enabled true",
            "spark.eventLog.dir " + events.toUri(),
            "spark.eventLog.compress false",
            "spark.mtltest.marker site-42",
            "spark.executor.memory 2g",
            "spark.executor.cores 1",
            "spark.driver.host 127.0.0.1",
            "spark.driver.bindAddress 127.0.0.1",
            "spark.ui.port " + JvmProcesses.freePort(),
            ""));
    return home;
  }

  @AfterAll
  static void stopCluster() {
    jvms.close();
  }

  /** The command submitted through submit-scripts/submit.sh with the site's Spark home, in client mode. */
  private static Process submit(List<String> command, Path log) throws Exception {
    List<String> args =
        new ArrayList<>(List.of("--master", master, "--deploy-mode", "client", "--"));
    args.addAll(command);
    return jvms.bash(
        JvmProcesses.ROOT.resolve("submit-scripts/submit.sh"),
        args,
        siteHome,
        Map.of("MTL_JAR", JvmProcesses.JAR.toString()),
        log);
  }

  /** The Spark properties of the application a submitted command's log names, from its event log. */
  private static JsonNode sparkProperties(String commandLog) throws Exception {
    Matcher id = Pattern.compile("Spark application (app-[0-9-]+)").matcher(commandLog);
    assertTrue(id.find(), "the command logged its application id:\n" + commandLog);
    Path eventLog = events.resolve(id.group(1));
    assertTrue(Files.isRegularFile(eventLog), "the site's event log has " + eventLog);
    ObjectMapper json = new ObjectMapper();
    for (String line : Files.readAllLines(eventLog)) {
      JsonNode event = json.readTree(line);
      if (event.get("Event").asText().equals("SparkListenerEnvironmentUpdate")) {
        return event.get("Spark Properties");
      }
    }
    throw new AssertionError("no environment update in " + eventLog);
  }

  private static JsonNode metrics(Path run) throws Exception {
    return new ObjectMapper().readTree(run.resolve("metrics.json").toFile()).get("tasks");
  }

  @Test
  void theSubmittedDemoTrainsToTheSameQualityAsLocalMode() throws Exception {
    List<String> demo = List.of("demo", "--rows", "3000", "--set", "train.epochs=4");
    Path clusterOut = dir.resolve("cluster-demo");
    Path clusterLog = dir.resolve("cluster-demo.log");
    Process cluster =
        submit(JvmProcesses.concat(demo, "--out", clusterOut.toUri().toString()), clusterLog);
    Path localOut = dir.resolve("local-demo");
    Path localLog = dir.resolve("local-demo.log");
    Process local = jvms.mtl(JvmProcesses.concat(demo, "--out", localOut.toString()), localLog);
    assertTrue(cluster.waitFor(8, TimeUnit.MINUTES), "cluster demo finished in time");
    assertEquals(0, cluster.exitValue(), JvmProcesses.read(clusterLog));
    assertTrue(
        JvmProcesses.read(clusterLog).contains("starting Spark (" + master + ")"),
        "the demo ran on the standalone master");
    // The site's spark-defaults.conf applied (event log, marker), the application added Kryo and
    // its registrators, and the local-machine profile (no UI, 8 shuffle partitions) stayed out.
    JsonNode props = sparkProperties(JvmProcesses.read(clusterLog));
    assertEquals("site-42", props.path("spark.mtltest.marker").asText(null), props.toString());
    assertEquals("true", props.path("spark.eventLog.enabled").asText(null));
    assertEquals(
        "org.apache.spark.serializer.KryoSerializer", props.path("spark.serializer").asText(null));
    assertEquals(
        "org.nd4j.kryo.Nd4jRegistrator,org.mtlspark.prep.kryo.RecordKryoRegistrator",
        props.path("spark.kryo.registrator").asText(null));
    assertTrue(
        props.path("spark.ui.enabled").isMissingNode(),
        "the profile's spark.ui.enabled stayed out");
    assertTrue(
        props.path("spark.sql.shuffle.partitions").isMissingNode(),
        "the profile's shuffle partitions stayed out");
    assertTrue(
        props
            .path("spark.driver.extraJavaOptions")
            .asText("")
            .contains(
                "-Dlog4j2.configurationFile="
                    + JvmProcesses.ROOT.resolve("conf/log4j2.properties")),
        "the driver reads the project's logging configuration");
    assertTrue(local.waitFor(8, TimeUnit.MINUTES));
    assertEquals(0, local.exitValue(), JvmProcesses.read(localLog));
    JsonNode onCluster = metrics(clusterOut.resolve("run"));
    JsonNode onLocal = metrics(localOut.resolve("run"));
    // Executors run ND4J with one thread each, local mode with more: float sums differ, so the
    // runs are not bit-identical. Same quality: each task's gain over its baseline within 0.05.
    for (String task : List.of("spend", "tier", "churn")) {
      double c = gain(onCluster.get(task));
      double l = gain(onLocal.get(task));
      assertEquals(l, c, 0.05, task + " gain over baseline: cluster " + c + ", local " + l);
      assertTrue(onCluster.get(task).get("beatsBaseline").asBoolean(), task);
    }
  }

  @Test
  void trainingSurvivesAnExecutorKilledMidway() throws Exception {
    Path out = dir.resolve("kill-demo");
    Path log = dir.resolve("kill-demo.log");
    Process run =
        submit(
            List.of(
                "demo",
                "--rows",
                "3000",
                "--set",
                "train.epochs=8",
                "--out",
                out.toUri().toString()),
            log);
    JvmProcesses.await(
        "the first checkpoint",
        300,
        () -> Files.exists(out.resolve("run/checkpoints/epoch-0001/state.json")) || !run.isAlive());
    assertTrue(
        run.isAlive(),
        "training still running when the executor is killed: " + JvmProcesses.read(log));
    Optional<ProcessHandle> executor =
        workers.stream()
            .flatMap(Process::descendants)
            .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
            .findFirst();
    assertTrue(executor.isPresent(), "an executor process runs under a worker");
    executor.get().destroyForcibly();
    executor.get().onExit().get(30, TimeUnit.SECONDS);
    assertTrue(run.waitFor(8, TimeUnit.MINUTES), "training finished after the kill");
    assertEquals(0, run.exitValue(), JvmProcesses.read(log));
    JsonNode m = metrics(out.resolve("run"));
    for (String task : List.of("spend", "tier", "churn")) {
      assertTrue(
          m.get(task).get("beatsBaseline").asBoolean(), task + " after the executor was lost");
    }
    JsonNode training = new ObjectMapper().readTree(out.resolve("run/training.json").toFile());
    assertEquals(8, training.get("epochs").size());
  }

  /** (baseline - rmse) / baseline, or (score - baseline) / (1 - baseline): 0 is the baseline, 1 perfect. */
  static double gain(JsonNode task) {
    String primary = task.get("primaryMetric").asText();
    double m = task.get("metrics").get(primary).asDouble();
    double b = task.get("baseline").get(primary).asDouble();
    return primary.equals("rmse") ? (b - m) / b : (m - b) / (1 - b);
  }
}
