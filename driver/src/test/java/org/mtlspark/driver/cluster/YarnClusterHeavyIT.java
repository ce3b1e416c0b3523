package org.mtlspark.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;

/**
 * YARN: a mini HDFS and a mini YARN cluster (a ResourceManager and a NodeManager) in this JVM,
 * and the shaded jar submitted in cluster deploy mode through submit-scripts/yarn.sh: retrain
 * runs in the YARN application master, its executors in YARN containers, and the model must land
 * in the registry on HDFS.
 */
class YarnClusterHeavyIT {
  @TempDir static Path dir;
  static MiniDFSCluster hdfs;
  static MiniYARNCluster yarn;
  static Path hadoopConf;
  static String root;
  static JvmProcesses jvms = new JvmProcesses();

  @BeforeAll
  static void startHadoop() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    root = hdfs.getFileSystem().getUri().toString();

    YarnConfiguration yc = new YarnConfiguration(hdfs.getConfiguration(0));
    yc.set("fs.defaultFS", root);
    yc.setInt(YarnConfiguration.NM_PMEM_MB, 10240);
    yc.setInt(YarnConfiguration.NM_VCORES, 4);
    yc.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 256);
    yc.setInt(YarnConfiguration.RM_SCHEDULER_MAXIMUM_ALLOCATION_MB, 6144);
    yc.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
    yc.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
    yc.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "99.0");
    yc.set(YarnConfiguration.NM_ENV_WHITELIST, "JAVA_HOME,HADOOP_CONF_DIR,SPARK_HOME,PATH");
    yc.set(
        YarnConfiguration.RM_SCHEDULER,
        "org.apache.hadoop.yarn.server.resourcemanager.scheduler.fifo.FifoScheduler");
    yarn = new MiniYARNCluster("mtl", 1, 1, 1);
    yarn.init(yc);
    yarn.start();
    JvmProcesses.await(
        "the NodeManager registered",
        60,
        () -> yarn.getResourceManager().getRMContext().getRMNodes().size() == 1);

    // HADOOP_CONF_DIR for the submitting client: the running clusters' addresses.
    hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
    // Only what a cluster's client configuration holds: the test clusters' own settings (a
    // static rack mapping class from the test jars, ...) would not load in the containers.
    Configuration client = new Configuration(false);
    client.set("fs.defaultFS", root);
    for (String key :
        List.of(
            YarnConfiguration.RM_ADDRESS,
            YarnConfiguration.RM_SCHEDULER_ADDRESS,
            YarnConfiguration.RM_RESOURCE_TRACKER_ADDRESS,
            YarnConfiguration.RM_WEBAPP_ADDRESS,
            YarnConfiguration.RM_SCHEDULER)) {
      client.set(key, yarn.getConfig().get(key));
    }
    for (String file : List.of("core-site.xml", "yarn-site.xml", "hdfs-site.xml")) {
      try (OutputStream out = Files.newOutputStream(hadoopConf.resolve(file))) {
        client.writeXml(out);
      }
    }
    // The Spark home's spark-submit, as a Spark distribution has it: SparkSubmit with the
    // Hadoop configuration on the classpath.
    Path bin = Files.createDirectories(JvmProcesses.sparkHome().resolve("bin"));
    Path submit = bin.resolve("spark-submit");
    Files.writeString(
        submit,
        "#!/usr/bin/env bash\n"
            + "exec \""
            + Paths.get(System.getProperty("java.home"), "bin", "java")
            + "\" "
            + String.join(" ", JvmProcesses.sparkFlags())
            + " -Xmx1g "
            + "-cp \"$SPARK_HOME/jars/*:$HADOOP_CONF_DIR\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));

    // A day of data on HDFS.
    new GenerateJob(SharedSpark.get())
        .run(
            ConfigLoader.load(List.of(), List.of("generate.rows=1500")),
            root + "/data/events/date=2026-11-28");
  }

  @AfterAll
  static void stopHadoop() {
    jvms.close();
    if (yarn != null) {
      yarn.stop();
    }
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void retrainSubmittedToYarnInClusterModeRegistersTheModelOnHdfs() throws Exception {
    String submitArgs =
        String.join(
            " ",
            List.of(
                "--conf",
                "spark.yarn.jars=local:" + JvmProcesses.sparkHome().resolve("jars") + "/*",
                "--conf",
                "spark.driver.memory=1g",
                "--conf",
                "spark.driver.memoryOverhead=1g",
                "--conf",
                "spark.executor.memory=1g",
                "--conf",
                "spark.executor.memoryOverhead=1g",
                "--conf",
                "spark.executor.cores=1",
                "--conf",
                "spark.yarn.am.waitTime=120s",
                // This Spark home is Spark's Maven jars, without YARN's web proxy filter that a
                // Spark
                // distribution has: the UI would fail to start in the application master.
                "--conf",
                "spark.ui.enabled=false"));
    Path log = dir.resolve("yarn-submit.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    "bash",
                    JvmProcesses.ROOT.resolve("submit-scripts/yarn.sh").toString(),
                    "retrain",
                    "--data",
                    root + "/data/events/date={date}",
                    "--date",
                    "2026-11-28",
                    "--registry",
                    root + "/mtl/registry",
                    "--name",
                    "events",
                    "--work",
                    root + "/mtl/work",
                    "--set",
                    "train.epochs=1"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("SPARK_HOME", JvmProcesses.sparkHome().toString());
    env.put("HADOOP_CONF_DIR", hadoopConf.toString());
    env.put("JAVA_HOME", System.getProperty("java.home"));
    env.put("MTL_EXECUTORS", "1");
    env.put("MTL_SUBMIT_ARGS", submitArgs);
    env.put("SPARK_LOCAL_IP", "127.0.0.1");
    Process p = pb.start();
    boolean done = p.waitFor(12, TimeUnit.MINUTES);
    String out = JvmProcesses.read(log);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "spark-submit finished in time:\n" + tail(out) + containerLogs());
    assertEquals(
        0, p.exitValue(), "the YARN application succeeded:\n" + tail(out) + containerLogs());
    assertTrue(out.contains("final status: SUCCEEDED"), tail(out));
    FileSystem fs = hdfs.getFileSystem();
    ModelRegistry registry = new ModelRegistry(fs.getConf(), root + "/mtl/registry");
    assertEquals(
        "v0001", registry.promoted("events").orElseThrow(), "the model was promoted on HDFS");
    registry.verify("events", "v0001");
    assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/mtl/work/2026-11-28/run/model.zip")));
  }

  private static String tail(String text) {
    return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
  }

  /** The end of every YARN container's stderr, for a failure message. */
  private static String containerLogs() {
    try (Stream<Path> files = Files.walk(Paths.get(yarn.getTestWorkDir().getAbsolutePath()))) {
      return files
          .filter(f -> f.getFileName().toString().equals("stderr"))
          .map(f -> "\n--- " + f + "\n" + tail(JvmProcesses.read(f)))
          .collect(Collectors.joining());
    } catch (IOException e) {
      return "\n(no container logs: " + e + ")";
    }
  }
}
