package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.testing.InProcessCommand.concat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivilegedExceptionAction;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.RegistryException;
import org.mtlspark.operate.registry.RegistryLock;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;

/**
 * A real HDFS (a NameNode and a DataNode in this JVM) and every step of the product on hdfs://
 * URIs only, through the command line: generated data, retraining (prep, batches, training with
 * its checkpoints, evaluation) into a registry, scoring with the promoted model, the report. The
 * local working folder must stay as it was. Then the registry's rename and lock on HDFS, a folder
 * the user may not write, and a DataNode lost under prep.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HdfsIT {
  @TempDir static Path base;
  static MiniDFSCluster cluster;
  static FileSystem hdfs;
  static String root;

  @BeforeAll
  static void startHdfs() throws IOException {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.resolve("hdfs").toString());
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    hdfs = cluster.getFileSystem();
    root = hdfs.getUri().toString();
    InProcessCommand.localSpark();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown();
    }
  }

  private static String mtl(int expected, String... args) {
    InProcessCommand.Outcome o = InProcessCli.mtl(args);
    assertEquals(expected, o.code(), String.join(" ", args) + "\n" + o.out());
    return o.out();
  }

  /** The files under the working folder, but the build's output. */
  private static Set<String> workingFolder() throws IOException {
    Path cwd = Paths.get("").toAbsolutePath();
    try (Stream<Path> files = Files.walk(cwd)) {
      return files
          .map(p -> cwd.relativize(p).toString())
          .filter(p -> !p.startsWith("target"))
          .collect(Collectors.toSet());
    }
  }

  @Test
  @Order(1)
  void theWholeChainRunsOnHdfsAndLeavesTheLocalFolderAlone() throws IOException {
    Set<String> before = workingFolder();
    String data = root + "/data/events";
    String registry = root + "/mtl/registry";
    String work = root + "/mtl/work";
    mtl(
        0,
        "generate",
        "--out",
        data + "/date=2026-11-27",
        "--rows",
        "1000",
        "--set",
        "generate.seed=1");
    mtl(
        0,
        "generate",
        "--out",
        data + "/date=2026-11-28",
        "--rows",
        "1000",
        "--set",
        "generate.seed=2");
    String[] retrain = {
      "retrain",
      "--data",
      data + "/date={date}",
      "--registry",
      registry,
      "--name",
      "events",
      "--work",
      work,
      "--set",
      "train.epochs=2",
      "--not-promoted-exit-code",
      "0",
      "--date"
    };
    assertTrue(mtl(0, concat(retrain, "2026-11-27")).contains("events v0001 PROMOTED"));
    assertTrue(mtl(0, concat(retrain, "2026-11-28")).contains("warm start from v0001"));
    mtl(0, "generate", "--out", root + "/data/new", "--rows", "200", "--set", "generate.seed=3");
    mtl(
        0,
        "score",
        "--registry",
        registry,
        "--name",
        "events",
        "--data",
        root + "/data/new",
        "--out",
        root + "/scored");
    mtl(
        0,
        "report",
        "--run",
        work + "/2026-11-28/run",
        "--registry",
        registry,
        "--name",
        "events",
        "--out",
        root + "/reports/2026-11-28.html");

    for (String path :
        List.of(
            "/mtl/registry/events/promoted.json",
            "/mtl/registry/events/versions/v0002/model.zip",
            "/mtl/work/2026-11-28/prep/manifest.json",
            "/mtl/work/2026-11-28/run/checkpoints/best-model.zip",
            "/mtl/work/2026-11-28/run/metrics.json",
            "/scored/score.json",
            "/reports/2026-11-28.html")) {
      assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(path)), path + " on HDFS");
    }
    assertTrue(
        hdfs.listStatus(new org.apache.hadoop.fs.Path("/mtl/work/2026-11-28/prep/batches/train"))
                .length
            > 0);
    assertTrue(hdfs.listStatus(new org.apache.hadoop.fs.Path("/scored/predictions")).length > 0);
    assertTrue(
        RegistryLock.current(
                hdfs.getConf(),
                new org.apache.hadoop.fs.Path(root + "/mtl/registry/events/locks/retrain"))
            .released(),
        "lock released");
    assertEquals(before, workingFolder(), "nothing was written to the local working folder");
  }

  @Test
  @Order(2)
  void promotionRollbackAndTheLockWorkOnHdfs() throws IOException {
    ModelRegistry registry = new ModelRegistry(hdfs.getConf(), root + "/mtl/registry");
    String promoted = registry.promoted("events").orElseThrow();
    registry.promote("events", "v0002");
    registry.promote("events", "v0001");
    assertEquals("v0001", registry.promoted("events").orElseThrow());
    assertEquals("v0002", registry.rollback("events").version());
    try (RegistryLock lock = registry.lock("events", "test", Duration.ofHours(1))) {
      RegistryException e =
          assertThrows(
              RegistryException.class,
              () -> registry.lock("events", "another", Duration.ofHours(1)));
      assertTrue(e.getMessage().contains("held by test"), e.getMessage());
    }
    assertTrue(List.of("v0001", "v0002").contains(promoted));
    assertEquals(
        List.of("promote", "promote", "rollback"),
        registry.pointer("events").orElseThrow().history().stream()
            .skip(registry.pointer("events").orElseThrow().history().size() - 3)
            .map(ModelRegistry.Event::action)
            .toList());
  }

  /** The lock on HDFS, raced by threads of this JVM and by other processes: never two holders. */
  @Test
  @Order(2)
  void theLockAdmitsOneHolderOnHdfsUnderRaces() throws Exception {
    java.nio.file.Path markers = Files.createDirectories(base.resolve("markers"));
    assertEquals(
        new LockRace.Tally(80, 0),
        LockRace.threads(root + "/races/threads", markers.resolve("t"), 4, 20));
    assertEquals(
        new LockRace.Tally(40, 0),
        LockRace.processes(root + "/races/processes", markers.resolve("p"), 2, 2, 10));
  }

  @Test
  @Order(3)
  void aFolderTheUserMayNotWriteStopsPrepBeforeItStartsNamingThePath() throws Exception {
    org.apache.hadoop.fs.Path locked = new org.apache.hadoop.fs.Path("/locked");
    hdfs.mkdirs(locked, new FsPermission((short) 0755));
    hdfs.setPermission(locked, new FsPermission((short) 0755));
    SparkSession spark = SharedSpark.get();
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    UserGroupInformation alice =
        UserGroupInformation.createUserForTesting("alice", new String[] {"users"});
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                alice.doAs(
                    (PrivilegedExceptionAction<Object>)
                        () ->
                            new PrepJob(spark)
                                .run(
                                    config,
                                    root + "/data/events/date=2026-11-27",
                                    root + "/locked/prep")));
    System.out.println("prep into a folder alice may not write: " + e.getMessage());
    assertTrue(
        e.getMessage().contains("/locked/prep") && e.getMessage().contains("permission denied"),
        e.getMessage());
    assertEquals(0, hdfs.listStatus(locked).length, "nothing was written");
  }

  @Test
  @Order(4)
  void aLostDataNodeFailsPrepClearlyAndLeavesNoOutput() throws Exception {
    SparkSession spark = SharedSpark.get();
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    MiniDFSCluster.DataNodeProperties node = cluster.stopDataNode(0);
    try {
      Exception e =
          assertThrows(
              Exception.class,
              () ->
                  new PrepJob(spark)
                      .run(config, root + "/data/events/date=2026-11-27", root + "/lost/prep"));
      String message = String.valueOf(e.getMessage()) + " " + String.valueOf(e.getCause());
      System.out.println("prep without its DataNode: " + message.lines().findFirst().orElse(""));
      assertTrue(
          message.contains("BlockMissingException")
              || message.contains("Could not obtain block")
              || message.contains("block"),
          message);
    } finally {
      cluster.restartDataNode(node, true);
      cluster.waitActive();
    }
    assertFalse(
        hdfs.exists(new org.apache.hadoop.fs.Path("/lost/prep")), "no output that looks complete");
  }
}
