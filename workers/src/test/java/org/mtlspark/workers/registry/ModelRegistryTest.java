package org.mtlspark.workers.registry;

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
  static final ModelVersion.DataDescription DATA = new ModelVersion.DataDescription("/data", Map.of("s", "/data/s"),
      Map.of("s", 10L), 10, List.of("s/a.csv"), "abc");

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
    TaskMetrics spend = new TaskMetrics("spend", TaskConfig.TaskType.REGRESSION, 100, "rmse", Map.of("rmse", rmse),
        Map.of("rmse", 20.0), true, 0.1);
    Files.writeString(run.resolve("metrics.json"), new ObjectMapper().writeValueAsString(
        new EvaluateJob.Report(run.toString(), "test", 100, Map.of("spend", spend), Map.of())));
    return run;
  }

  @Test
  void versionsAreNumberedAndKeepTheirFilesChecksumsAndMetrics() throws IOException {
    ModelVersion first = registry.register("spend-model", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    ModelVersion second = registry.register("spend-model", run("b", 6.1).toString(), "r2", DATA, 0.82, "v0001");
    assertEquals("v0001", first.version());
    assertEquals("v0002", second.version());
    assertEquals(List.of("v0001", "v0002"), registry.list("spend-model").stream().map(ModelVersion::version).toList());
    ModelVersion shown = registry.show("spend-model", "v0002");
    assertEquals(6.1, shown.metrics().get("spend"));
    assertEquals("rmse", shown.primaryMetrics().get("spend"));
    assertEquals("v0001", shown.warmStartedFrom());
    assertEquals(List.of("model.zip", "manifest.json", "config.yaml", "metrics.json"),
        List.copyOf(shown.sha256().keySet()));
    assertEquals(ModelRegistry.sha256(org.apache.hadoop.fs.FileSystem.getLocal(new Configuration()),
        new org.apache.hadoop.fs.Path(dir.resolve("b/model.zip").toUri())), shown.sha256().get("model.zip"));
    assertEquals("r2", registry.findRun("spend-model", "r2").orElseThrow().runId());
    assertTrue(registry.findRun("spend-model", "r3").isEmpty());
    assertEquals(List.of("spend-model"), registry.models());
  }

  @Test
  void promotionAndRollbackMoveThePointer() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    registry.register("m", run("b", 6.1).toString(), "r2", DATA, 0.82, null);
    assertTrue(registry.promoted("m").isEmpty());
    RegistryException none = assertThrows(RegistryException.class, () -> registry.resolve("m", null));
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
    try (var files = Files.list(dir.resolve("registry/m"))) {
      assertEquals(List.of("promoted.json", "versions"), files.map(p -> p.getFileName().toString())
          .filter(n -> !n.endsWith(".crc")).sorted().toList(),
          "no temporary pointer left behind");
    }
  }

  @Test
  void aTamperedOrTruncatedModelIsRefusedWithTheFileNamed() throws IOException {
    registry.register("m", run("a", 6.5).toString(), "r1", DATA, 0.8, null);
    Path model = dir.resolve("registry/m/versions/v0001/model.zip");
    String original = Files.readString(model);
    Files.writeString(model, original.substring(0, 5));
    RegistryException truncated = assertThrows(RegistryException.class, () -> registry.resolve("m", "v0001"));
    assertTrue(truncated.getMessage().contains("model.zip") && truncated.getMessage().contains("5 bytes"),
        truncated.getMessage());
    assertThrows(RegistryException.class, () -> registry.promote("m", "v0001"), "a damaged version is not promoted");
    Files.writeString(model, original.replace('m', 'M'));
    assertThrows(RegistryException.class, () -> registry.verify("m", "v0001"));
    Files.delete(model);
    RegistryException missing = assertThrows(RegistryException.class, () -> registry.verify("m", "v0001"));
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
  void theLockAdmitsOneHolderAndBreaksOnlyAStaleOne() throws IOException {
    try (ModelRegistry.Lock held = registry.lock("m", "retrain r1", Duration.ofMinutes(30))) {
      RegistryException e = assertThrows(RegistryException.class,
          () -> registry.lock("m", "retrain r2", Duration.ofMinutes(30)));
      assertTrue(e.getMessage().contains("locked by retrain r1"), e.getMessage());
    }
    // Released: the next one takes it.
    registry.lock("m", "retrain r3", Duration.ofMinutes(30)).close();
    // A lock left by a crashed run, two hours old.
    Files.writeString(dir.resolve("registry/m/registry.lock"), "{\"owner\":\"crashed\",\"host\":\"h\",\"since\":\""
        + Instant.now().minus(Duration.ofHours(2)) + "\",\"token\":\"t\"}");
    assertThrows(RegistryException.class, () -> registry.lock("m", "r4", Duration.ofHours(3)));
    try (ModelRegistry.Lock taken = registry.lock("m", "r5", Duration.ofHours(1))) {
      assertTrue(Files.readString(dir.resolve("registry/m/registry.lock")).contains("r5"));
    }
    assertFalse(Files.exists(dir.resolve("registry/m/registry.lock")));
  }
}
