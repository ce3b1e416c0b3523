package org.mtlspark.operate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** The registry on the local filesystem through Hadoop's API, with run folders as train writes them. */
class ModelRegistryTest {
  @TempDir Path dir;
  ModelRegistry registry;
  static final ModelVersion.DataDescription DATA =
      new ModelVersion.DataDescription(
          "/data", Map.of("s", "/data/s"), Map.of("s", 10L), 10, List.of("s/a.csv"), "abc");

  @BeforeEach
  void create() {
    registry = new ModelRegistry(new Configuration(), dir.resolve("registry").toUri().toString());
  }

  /** A run folder: model, manifest, configuration and test metrics. */
  Path run(String name, double rmse) throws IOException {
    Path run = dir.resolve(name);
    Files.createDirectories(run);
    Files.writeString(run.resolve("model.zip"), "model bytes of " + name);
    Files.writeString(run.resolve("manifest.json"), "{}");
    Files.writeString(run.resolve("config.yaml"), "run: {}\n");
    TaskMetrics spend =
        new TaskMetrics(
            "spend",
            TaskConfig.TaskType.REGRESSION,
            100,
            "rmse",
            Map.of("rmse", rmse),
            Map.of("rmse", 20.0),
            true,
            0.1);
    Files.writeString(
        run.resolve("metrics.json"),
        new ObjectMapper()
            .writeValueAsString(
                new EvaluateJob.Report(
                    run.toString(), "test", 100, Map.of("spend", spend), Map.of())));
    return run;
  }

  @Test
  void versionsAreNumberedAndKeepTheirFilesChecksumsAndMetrics() throws IOException {
    ModelVersion first =
        registry.register("spend-model", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    ModelVersion second =
        registry.register("spend-model", run("b", 6.1).toString(), "r2", DATA, 0.82, "v0001");
    assertEquals("v0001", first.version());
    assertEquals("v0002", second.version());
    assertEquals(
        List.of("v0001", "v0002"),
        registry.list("spend-model").stream().map(ModelVersion::version).toList());
    ModelVersion shown = registry.show("spend-model", "v0002");
    assertEquals(6.1, shown.metrics().get("spend"));
    assertEquals("rmse", shown.primaryMetrics().get("spend"));
    assertEquals("v0001", shown.warmStartedFrom());
    assertEquals(
        List.of("model.zip", "manifest.json", "config.yaml", "metrics.json"),
        List.copyOf(shown.sha256().keySet()));
    assertEquals(
        ModelRegistry.sha256(
            org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
            new org.apache.hadoop.fs.Path(dir.resolve("b/model.zip").toUri())),
        shown.sha256().get("model.zip"));
    assertEquals("r2", registry.findRun("spend-model", "r2").orElseThrow().runId());
    assertTrue(registry.findRun("spend-model", "r3").isEmpty());
    assertEquals(List.of("spend-model"), registry.models());
  }

  @Test
  void promotionAndRollbackMoveThePointer() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    registry.register("m", run("b", 6.1).toString(), "r2", DATA, 0.82, null);
    assertTrue(registry.promoted("m").isEmpty());
    RegistryException none =
        assertThrows(RegistryException.class, () -> registry.resolve("m", null));
    assertTrue(none.getMessage().contains("no promoted version"), none.getMessage());
    registry.promote("m", "v0001");
    registry.promote("m", "v0002");
    assertEquals("v0002", registry.promoted("m").orElseThrow());
    assertTrue(registry.resolve("m", null).endsWith("/m/versions/v0002"));
    assertEquals("v0001", registry.rollback("m").version());
    assertEquals("v0001", registry.promoted("m").orElseThrow());
    RegistryException e = assertThrows(RegistryException.class, () -> registry.rollback("m"));
    assertTrue(e.getMessage().contains("nothing to roll back"), e.getMessage());
    assertThrows(RegistryException.class, () -> registry.promote("m", "v0007"));
    ModelRegistry.Pointer p = registry.pointer("m").orElseThrow();
    assertEquals(List.of("v0001"), p.stack());
    assertEquals(
        List.of("promote v0001", "promote v0002", "rollback v0001"),
        p.history().stream().map(h -> h.action() + " " + h.version()).toList(),
        "the rollback keeps the history");
    assertTrue(p.everPromoted("v0002"));
    try (var files = Files.list(dir.resolve("registry/m"))) {
      assertEquals(
          List.of("locks", "promoted.json", "versions"),
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> !n.endsWith(".crc"))
              .sorted()
              .toList(),
          "no temporary pointer left behind");
    }
  }

  @Test
  void aTamperedOrTruncatedModelIsRefusedWithTheFileNamed() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    Path model = dir.resolve("registry/m/versions/v0001/model.zip");
    String original = Files.readString(model);
    Files.writeString(model, original.substring(0, 5));
    RegistryException truncated =
        assertThrows(RegistryException.class, () -> registry.resolve("m", "v0001"));
    assertTrue(
        truncated.getMessage().contains("model.zip") && truncated.getMessage().contains("5 bytes"),
        truncated.getMessage());
    assertThrows(
        RegistryException.class,
        () -> registry.promote("m", "v0001"),
        "a damaged version is not promoted");
    Files.writeString(model, original.replace('m', 'M'));
    assertThrows(RegistryException.class, () -> registry.verify("m", "v0001"));
    Files.delete(model);
    RegistryException missing =
        assertThrows(RegistryException.class, () -> registry.verify("m", "v0001"));
    assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    Files.writeString(model, original);
    registry.verify("m", "v0001");
  }

  @Test
  void namesThatCouldLeaveTheRegistryAreRefused() throws IOException {
    for (String bad : List.of("../x", "a/b", "", ".hidden", "x..y", "a b", "-x", "a".repeat(65))) {
      assertThrows(RegistryException.class, () -> registry.list(bad), bad);
    }
    assertThrows(RegistryException.class, () -> registry.show("m", "../../etc"));
    assertTrue(registry.list("churn-model_v2.1").isEmpty());
    assertFalse(Files.exists(dir.resolve("x")));
  }

  @Test
  void theLockAdmitsOneHolderAndBreaksOnlyAStaleOne() throws Exception {
    try (RegistryLock held = registry.lock("m", "retrain r1", Duration.ofMinutes(30))) {
      RegistryException e =
          assertThrows(
              RegistryException.class,
              () -> registry.lock("m", "retrain r2", Duration.ofMinutes(30)));
      assertTrue(e.getMessage().contains("held by retrain r1"), e.getMessage());
    }
    // Released: the next one takes it.
    registry.lock("m", "retrain r3", Duration.ofMinutes(30)).close();
    // A lock left by a crashed run, not refreshed for two hours.
    RegistryLock crashed = registry.lock("m", "crashed", Duration.ofHours(3));
    Path file;
    try (var files = Files.list(dir.resolve("registry/m/locks/retrain"))) {
      file =
          files
              .filter(f -> f.toString().endsWith(".lock"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    java.nio.file.attribute.FileTime old =
        java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(2)));
    Files.setLastModifiedTime(file, old);
    assertThrows(RegistryException.class, () -> registry.lock("m", "r4", Duration.ofHours(3)));
    try (RegistryLock taken = registry.lock("m", "r5", Duration.ofHours(1))) {
      taken.check();
      assertThrows(RegistryException.class, crashed::check, "the crashed holder lost it");
    }
  }

  /** A retry of the same run waits for its earlier attempt's lock; another run is refused at once. */
  @Test
  void theSameRunWaitsForItsEarlierAttemptAnotherIsRefused() throws Exception {
    RegistryLock earlier = registry.lock("m", "retrain day1", Duration.ofSeconds(30));
    Thread ends =
        new Thread(
            () -> {
              try {
                Thread.sleep(700);
                earlier.close();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    ends.start();
    RegistryException other =
        assertThrows(
            RegistryException.class,
            () -> registry.lock("m", "retrain day2", Duration.ofSeconds(30)));
    assertTrue(other.getMessage().contains("held by retrain day1"), other.getMessage());
    long start = System.nanoTime();
    try (RegistryLock retry = registry.lock("m", "retrain day1", Duration.ofSeconds(30))) {
      retry.check();
      assertTrue(System.nanoTime() - start >= 300_000_000L, "it waited for the earlier attempt");
    }
    ends.join();
  }

  /** Registrations, promotions and rollbacks from many threads at once: no lost entry, no shared version. */
  @Test
  void concurrentWritesLoseNothing() throws Exception {
    List<String> runs = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(run("run" + i, 6 - 0.1 * i).toString());
    }
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<List<String>>> done = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  List<String> versions = new java.util.ArrayList<>();
                  for (int i = 0; i < 5; i++) {
                    versions.add(
                        registry
                            .register(
                                "m", runs.get(thread), "t" + thread + "-" + i, DATA, 0.8, null)
                            .version());
                  }
                  return versions;
                }));
      }
      java.util.Set<String> versions = new java.util.TreeSet<>();
      for (var f : done) {
        versions.addAll(f.get());
      }
      assertEquals(20, versions.size(), versions.toString());
      assertEquals(20, registry.list("m").size());
      assertTrue(registry.damaged("m").isEmpty(), registry.damaged("m").toString());
      for (ModelVersion v : registry.list("m")) {
        assertEquals(v.version(), registry.show("m", v.version()).version());
        registry.verify("m", v.version());
      }
      assertEquals(20, registry.list("m").stream().map(ModelVersion::runId).distinct().count());

      // 4 threads x 5 promotions, then rollbacks racing further promotions.
      List<java.util.concurrent.Future<?>> moves = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        moves.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 5; i++) {
                    registry.promote("m", String.format("v%04d", 1 + thread * 5 + i));
                  }
                  return null;
                }));
      }
      for (var f : moves) {
        f.get();
      }
      assertEquals(20, registry.pointer("m").orElseThrow().history().size());
      assertEquals(20, registry.pointer("m").orElseThrow().stack().size());
      moves.clear();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        moves.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 3; i++) {
                    if (thread % 2 == 0) {
                      registry.rollback("m");
                    } else {
                      registry.promote("m", "v0001");
                    }
                  }
                  return null;
                }));
      }
      for (var f : moves) {
        f.get();
      }
      ModelRegistry.Pointer p = registry.pointer("m").orElseThrow();
      assertEquals(32, p.history().size(), "every promotion and rollback is in the history");
      assertEquals(20 - 6 + 6, p.stack().size());
      assertEquals(p.version(), p.stack().get(p.stack().size() - 1));
    } finally {
      pool.shutdownNow();
    }
  }

  /** Half-written versions and a crashed registration's staging folder: listed, skipped, cleaned. */
  @Test
  void damagedVersionsAreSkippedAndMovedAsideByGc() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    registry.promote("m", "v0001");
    Path versions = dir.resolve("registry/m/versions");
    Files.createDirectories(versions.resolve("v0002"));
    Files.writeString(versions.resolve("v0002/model.zip"), "only the model");
    Files.createDirectories(versions.resolve("v0003"));
    Files.writeString(versions.resolve("v0003/version.json"), "{\"name\": \"m\", \"vers");
    Path staging = versions.resolve(".staging-crashed.tmp");
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("model.zip"), "partial");
    Files.setLastModifiedTime(
        staging, java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(3))));
    Path fresh = versions.resolve(".staging-copying-now.tmp");
    Files.createDirectories(fresh);

    assertEquals(List.of("v0001"), registry.list("m").stream().map(ModelVersion::version).toList());
    List<ModelRegistry.Damaged> damaged = registry.damaged("m");
    assertEquals(
        List.of("v0002", "v0003"), damaged.stream().map(ModelRegistry.Damaged::version).toList());
    assertTrue(damaged.get(0).reason().contains("no version.json"), damaged.get(0).reason());
    assertTrue(damaged.get(1).reason().contains("cannot be read"), damaged.get(1).reason());
    RegistryException shown =
        assertThrows(RegistryException.class, () -> registry.show("m", "v0002"));
    assertTrue(shown.getMessage().contains("incomplete"), shown.getMessage());
    assertEquals(
        "v0001", registry.resolve("m", null).substring(registry.resolve("m", null).length() - 5));

    ModelRegistry.Cleaned cleaned = registry.gc("m", Duration.ofHours(1));
    assertEquals(2, cleaned.movedAside().size(), cleaned.toString());
    assertEquals(1, cleaned.removedStaging().size(), cleaned.toString());
    assertFalse(Files.exists(staging));
    assertTrue(Files.exists(fresh), "a staging folder younger than the limit may be in use");
    assertTrue(registry.damaged("m").isEmpty());
    try (var aside = Files.list(dir.resolve("registry/m/damaged"))) {
      assertEquals(2, aside.count());
    }
    assertEquals(
        "v0004",
        registry.register("m", run("b", 6.1).toString(), "r2", DATA, 0.8, null).version(),
        "numbers of damaged versions are not given again");
  }

  /** A rename onto an existing version fails instead of nesting the new one inside it. */
  @Test
  void aVersionIsNeverRenamedIntoAnExistingOne() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    Path staging = dir.resolve("registry/m/versions/.staging-x.tmp");
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("model.zip"), "other");
    assertThrows(
        org.apache.hadoop.fs.FileAlreadyExistsException.class,
        () ->
            RegistryFiles.renameNew(
                new Configuration(),
                new org.apache.hadoop.fs.Path(staging.toUri()),
                new org.apache.hadoop.fs.Path(dir.resolve("registry/m/versions/v0001").toUri())));
    assertFalse(Files.exists(dir.resolve("registry/m/versions/v0001/.staging-x.tmp")));
    assertTrue(Files.exists(staging));
  }

  /** A promoted.json written by the earlier layout (the history was the stack) still reads. */
  @Test
  void anEarlierPointerFileIsRead() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    registry.register("m", run("b", 6.1).toString(), "r2", DATA, 0.8, null);
    Files.writeString(
        dir.resolve("registry/m/promoted.json"),
        "{\"version\":\"v0002\",\"history\":[\"v0001\",\"v0002\"],\"updated\":\"2026-01-01T00:00:00Z\"}");
    assertEquals(List.of("v0001", "v0002"), registry.pointer("m").orElseThrow().stack());
    assertEquals("v0001", registry.rollback("m").version());
    assertEquals(3, registry.pointer("m").orElseThrow().history().size());
  }
}
