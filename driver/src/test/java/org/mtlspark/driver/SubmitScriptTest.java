package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.SharedSpark;

/**
 * The spark-submit options submit-scripts/submit.sh and its wrappers pass (MTL_SUBMIT_DRY_RUN prints
 * them): never the project's spark-defaults.conf, the logging option appended to what the site's
 * spark-defaults.conf or the command line gives, the user's --files kept.
 */
class SubmitScriptTest {
  static final Path ROOT = SharedSpark.confDir().getParent();
  static final String LOG_CONF = ROOT.resolve("conf/log4j2.properties").toString();

  @TempDir Path sparkHome;

  private List<String> dryRun(String script, Map<String, String> env, String... args)
      throws Exception {
    List<String> cmd =
        new ArrayList<>(List.of("bash", ROOT.resolve("submit-scripts/" + script).toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("MTL_SUBMIT_DRY_RUN", "1");
    pb.environment().remove("SPARK_CONF_DIR");
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), script + ": " + err);
    return out.lines().toList();
  }

  private void siteDefaults(String... lines) throws Exception {
    Files.createDirectories(sparkHome.resolve("conf"));
    Files.writeString(
        sparkHome.resolve("conf/spark-defaults.conf"), String.join("\n", lines) + "\n");
  }

  @Test
  void yarnClusterModeAppendsTheShippedLoggingFileToTheSiteOptions() throws Exception {
    siteDefaults(
        "# the site's",
        "spark.executor.extraJavaOptions  -XX:+UseG1GC -Dsite=1",
        "spark.driver.extraJavaOptions=-Dsite.driver=1",
        "spark.eventLog.enabled true");
    List<String> args =
        dryRun(
            "submit.sh",
            Map.of(),
            "--master",
            "yarn",
            "--deploy-mode",
            "cluster",
            "--files",
            "my.yaml",
            "--conf",
            "spark.x=1",
            "--",
            "train");
    assertEquals(
        List.of(
            "--master",
            "yarn",
            "--deploy-mode",
            "cluster",
            "--conf",
            "spark.x=1",
            "--conf",
            "spark.driver.extraJavaOptions=-Dsite.driver=1 -Dlog4j2.configurationFile=log4j2.properties",
            "--conf",
            "spark.executor.extraJavaOptions=-XX:+UseG1GC -Dsite=1 -Dlog4j2.configurationFile=log4j2.properties",
            "--files",
            LOG_CONF + ",my.yaml"),
        args);
  }

  @Test
  void optionsGivenOnTheCommandLineReplaceTheSitesAndGetTheLoggingOptionToo() throws Exception {
    siteDefaults("spark.executor.extraJavaOptions -Dsite=1");
    List<String> args =
        dryRun(
            "submit.sh",
            Map.of(),
            "--master=yarn",
            "--conf",
            "spark.executor.extraJavaOptions=-Dmine=1",
            "--driver-java-options",
            "-Dmine.driver=1",
            "--");
    assertTrue(
        args.contains(
            "spark.executor.extraJavaOptions=-Dmine=1 -Dlog4j2.configurationFile=log4j2.properties"),
        args.toString());
    assertTrue(
        args.contains(
            "spark.driver.extraJavaOptions=-Dmine.driver=1 -Dlog4j2.configurationFile=" + LOG_CONF),
        "client mode: the driver reads the file where it is: " + args);
  }

  @Test
  void aStandaloneClientRunSetsOnlyTheDriversLoggingAndNeverTheProjectProfile() throws Exception {
    List<String> args = dryRun("standalone.sh", Map.of("MTL_MASTER", "spark://h:7077"), "demo");
    assertEquals(
        List.of(
            "--master",
            "spark://h:7077",
            "--deploy-mode",
            "client",
            "--conf",
            "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=" + LOG_CONF),
        args);
    assertFalse(String.join(" ", args).contains("spark-defaults.conf"));
  }

  @Test
  void yarnAsksForAQueueAndExecutorsOnlyWhenTold() throws Exception {
    List<String> site = dryRun("yarn.sh", Map.of("HADOOP_CONF_DIR", sparkHome.toString()), "demo");
    assertFalse(site.contains("--queue") || site.contains("--num-executors"), site.toString());
    List<String> told =
        dryRun(
            "yarn.sh",
            Map.of(
                "HADOOP_CONF_DIR", sparkHome.toString(), "MTL_QUEUE", "ml", "MTL_EXECUTORS", "6"),
            "demo");
    assertEquals("ml", told.get(told.indexOf("--queue") + 1));
    assertEquals("6", told.get(told.indexOf("--num-executors") + 1));
  }

  @Test
  void kubernetesReadsTheLoggingFileTheImageHas() throws Exception {
    List<String> args =
        dryRun(
            "kubernetes.sh",
            Map.of("MTL_K8S_MASTER", "k8s://https://api:6443", "MTL_IMAGE", "img"),
            "demo");
    String option = "-Dlog4j2.configurationFile=/opt/mtlspark/conf/log4j2.properties";
    assertTrue(args.contains("spark.driver.extraJavaOptions=" + option), args.toString());
    assertTrue(args.contains("spark.executor.extraJavaOptions=" + option), args.toString());
    assertFalse(args.contains("--files"), args.toString());
  }
}
