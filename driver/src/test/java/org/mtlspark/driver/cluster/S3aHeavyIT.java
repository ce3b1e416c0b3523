package org.mtlspark.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * s3a:// paths end to end: an S3-compatible server (S3Proxy, storing objects in a local folder) runs
 * on 127.0.0.1 in a JVM of its own; generate and prep run as submit-scripts/mtl runs them, with
 * hadoop-aws from its classpath, reading and writing nothing but s3a:// paths.
 */
class S3aHeavyIT {
  @TempDir static Path dir;
  static JvmProcesses jvms = new JvmProcesses();
  static Path store;
  static List<String> s3a;

  @BeforeAll
  static void startS3() throws Exception {
    store = Files.createDirectories(dir.resolve("store"));
    // With S3Proxy's filesystem store a bucket is a folder, an object a file under it.
    Files.createDirectories(store.resolve("mtl"));
    int port = JvmProcesses.freePort();
    String endpoint = "http://127.0.0.1:" + port;
    Path properties = dir.resolve("s3proxy.properties");
    Files.writeString(
        properties,
        String.join(
            "\n",
            "s3proxy.endpoint=" + endpoint,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=mtl-test",
            "s3proxy.credential=mtl-test-secret",
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + store,
            ""));
    Process s3 =
        jvms.java(
            JvmProcesses.TARGET.resolve("s3proxy/s3proxy.jar").toString(),
            List.of("-Xmx256m"),
            "org.gaul.s3proxy.Main",
            List.of("--properties", properties.toString()),
            Map.of(),
            dir.resolve("s3proxy.log"));
    JvmProcesses.await(
        "S3Proxy listening on " + endpoint,
        60,
        () -> {
          if (!s3.isAlive()) {
            throw new AssertionError(
                "S3Proxy exited: " + JvmProcesses.read(dir.resolve("s3proxy.log")));
          }
          try (Socket socket = new Socket("127.0.0.1", port)) {
            return true;
          } catch (IOException e) {
            return false;
          }
        });
    s3a =
        List.of(
            "-Dspark.hadoop.fs.s3a.endpoint=" + endpoint,
            "-Dspark.hadoop.fs.s3a.endpoint.region=us-east-1",
            "-Dspark.hadoop.fs.s3a.path.style.access=true",
            "-Dspark.hadoop.fs.s3a.connection.ssl.enabled=false",
            "-Dspark.hadoop.fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "-Dspark.hadoop.fs.s3a.access.key=mtl-test",
            "-Dspark.hadoop.fs.s3a.secret.key=mtl-test-secret",
            // S3Proxy answers a bulk delete only after about 20 s: one DELETE per object instead,
            // and
            // no deleting of parent folder markers after every file written.
            "-Dspark.hadoop.fs.s3a.multiobjectdelete.enable=false",
            "-Dspark.hadoop.fs.s3a.directory.marker.retention=keep");
  }

  @AfterAll
  static void stopS3() {
    jvms.close();
  }

  private static void mtl(String name, String... args) throws Exception {
    Path log = dir.resolve(name + ".log");
    Process p = jvms.mtl(s3a, List.of(args), log);
    assertTrue(
        p.waitFor(8, TimeUnit.MINUTES), name + " finished in time: " + JvmProcesses.read(log));
    assertEquals(0, p.exitValue(), name + ": " + JvmProcesses.read(log));
  }

  @Test
  void generateAndPrepReadAndWriteS3aPathsOnly() throws Exception {
    mtl("generate", "generate", "--rows", "1500", "--out", "s3a://mtl/data");
    mtl("prep", "prep", "--data", "s3a://mtl/data", "--out", "s3a://mtl/prep");

    // The objects are in the store: the sources, the manifest and batch packs of every split.
    Path prep = store.resolve("mtl/prep");
    JsonNode manifest = new ObjectMapper().readTree(prep.resolve("manifest.json").toFile());
    long examples = 0;
    for (String split : List.of("train", "validation", "test")) {
      JsonNode summary = manifest.get("splits").get(split);
      assertTrue(summary.get("batches").asLong() > 0, split + ": " + summary);
      examples += summary.get("examples").asLong();
      try (Stream<Path> packs = Files.list(prep.resolve("batches/" + split))) {
        assertTrue(
            packs.anyMatch(f -> f.getFileName().toString().endsWith(".mdsp")),
            split + " batch packs");
      }
    }
    assertTrue(examples > 1400 && examples <= 1500, "examples in the manifest: " + examples);
    assertTrue(
        Files.isDirectory(store.resolve("mtl/data")), "the generated sources are in the bucket");
    // Outputs appear by rename when complete: no staging folder is left in the bucket.
    try (Stream<Path> left = Files.list(store.resolve("mtl"))) {
      List<String> names = left.map(f -> f.getFileName().toString()).sorted().toList();
      assertEquals(
          List.of("data", "prep"), names.stream().filter(n -> !n.startsWith(".")).toList());
      assertFalse(
          names.stream().anyMatch(n -> n.endsWith(".tmp")), "staging left behind: " + names);
    }
  }
}
