package org.mtlspark.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A real Spark standalone cluster on 127.0.0.1 (a master and two one-core workers started from the
 * Maven-provided jars), the shaded jar submitted through SparkSubmit: the demo trains to the same
 * quality as in local mode, and survives an executor killed in the middle of training.
 */
class StandaloneClusterHeavyIT {
  @TempDir static Path dir;
  static JvmProcesses jvms = new JvmProcesses();
  static String master;
  static List<Process> workers = new ArrayList<>();

  @BeforeAll
  static void startCluster() throws Exception {
    String cp = JvmProcesses.sparkHome().resolve("jars") + "/*";
    int port = JvmProcesses.freePort();
    master = "spark://127.0.0.1:" + port;
    Path masterLog = dir.resolve("master.log");
    jvms.java(cp, List.of("-Xmx512m"), "org.apache.spark.deploy.master.Master",
        List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--webui-port",
            String.valueOf(JvmProcesses.freePort())), Map.of(), masterLog);
    for (int i = 0; i < 2; i++) {
      Path work = Files.createDirectories(dir.resolve("worker" + i));
      workers.add(jvms.java(cp, List.of("-Xmx512m"), "org.apache.spark.deploy.worker.Worker",
          List.of(master, "--host", "127.0.0.1", "--cores", "1", "--memory", "4g", "--work-dir", work.toString(),
              "--webui-port", String.valueOf(JvmProcesses.freePort())), Map.of(), dir.resolve("worker" + i + ".log")));
    }
    JvmProcesses.await("two workers registered with the master", 90,
        () -> JvmProcesses.read(masterLog).split("Registering worker", -1).length - 1 >= 2);
  }

  @AfterAll
  static void stopCluster() {
    jvms.close();
  }

  private static Process submit(List<String> demoArgs, Path log) throws Exception {
    List<String> args = new ArrayList<>(List.of("--master", master, "--deploy-mode", "client",
        "--properties-file", JvmProcesses.ROOT.resolve("conf/spark-defaults.conf").toString(),
        "--conf", "spark.executor.memory=2g", "--conf", "spark.executor.cores=1",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--class", "org.mtlspark.driver.MtlCommand", JvmProcesses.JAR.toString()));
    args.addAll(demoArgs);
    return jvms.java(JvmProcesses.sparkHome().resolve("jars") + "/*",
        List.of("-Xmx2g", "-Dlog4j2.configurationFile=" + JvmProcesses.ROOT.resolve("conf/log4j2.properties")),
        "org.apache.spark.deploy.SparkSubmit", args, Map.of(), log);
  }

  private static JsonNode metrics(Path run) throws Exception {
    return new ObjectMapper().readTree(run.resolve("metrics.json").toFile()).get("tasks");
  }

  @Test
  void theSubmittedDemoTrainsToTheSameQualityAsLocalMode() throws Exception {
    List<String> demo = List.of("demo", "--rows", "3000", "--set", "train.epochs=4");
    Path clusterOut = dir.resolve("cluster-demo");
    Path clusterLog = dir.resolve("cluster-demo.log");
    Process cluster = submit(JvmProcesses.concat(demo, "--out", clusterOut.toUri().toString()), clusterLog);
    Path localOut = dir.resolve("local-demo");
    Path localLog = dir.resolve("local-demo.log");
    Process local = jvms.mtl(JvmProcesses.concat(demo, "--out", localOut.toString()), localLog);
    assertTrue(cluster.waitFor(8, TimeUnit.MINUTES), "cluster demo finished in time");
    assertEquals(0, cluster.exitValue(), JvmProcesses.read(clusterLog));
    assertTrue(JvmProcesses.read(clusterLog).contains("starting Spark (" + master + ")"),
        "the demo ran on the standalone master");
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
    Process run = submit(List.of("demo", "--rows", "3000", "--set", "train.epochs=8", "--out", out.toUri().toString()),
        log);
    JvmProcesses.await("the first checkpoint", 300,
        () -> Files.exists(out.resolve("run/checkpoints/epoch-0001/state.json")) || !run.isAlive());
    assertTrue(run.isAlive(), "training still running when the executor is killed: " + JvmProcesses.read(log));
    Optional<ProcessHandle> executor = workers.stream().flatMap(Process::descendants)
        .filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).findFirst();
    assertTrue(executor.isPresent(), "an executor process runs under a worker");
    executor.get().destroyForcibly();
    executor.get().onExit().get(30, TimeUnit.SECONDS);
    assertTrue(run.waitFor(8, TimeUnit.MINUTES), "training finished after the kill");
    assertEquals(0, run.exitValue(), JvmProcesses.read(log));
    JsonNode m = metrics(out.resolve("run"));
    for (String task : List.of("spend", "tier", "churn")) {
      assertTrue(m.get(task).get("beatsBaseline").asBoolean(), task + " after the executor was lost");
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
