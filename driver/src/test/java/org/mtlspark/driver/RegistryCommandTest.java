package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.driver.InProcessCli.mtl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.ModelVersion;
import org.mtlspark.testing.InProcessCommand;

/** The registry command line on a registry a crash left half-written, without Spark. */
class RegistryCommandTest {
  @TempDir Path dir;

  @Test
  void listShowsDamagedVersionsAndGcMovesThemAside() throws IOException {
    Path run = Files.createDirectories(dir.resolve("run"));
    for (String f : List.of("model.zip", "manifest.json", "config.yaml")) {
      Files.writeString(run.resolve(f), f);
    }
    String root = dir.resolve("registry").toString();
    ModelRegistry registry = new ModelRegistry(new Configuration(), root);
    registry.register(
        "events",
        run.toString(),
        "r1",
        new ModelVersion.DataDescription("/d", Map.of(), Map.of(), 0, List.of(), "f"),
        0.5,
        null);
    Path half = Files.createDirectories(dir.resolve("registry/events/versions/v0002"));
    Files.writeString(half.resolve("model.zip"), "only this");
    Path broken = Files.createDirectories(dir.resolve("registry/events/versions/v0003"));
    Files.writeString(broken.resolve("version.json"), "{\"name\": ");
    Path staging =
        Files.createDirectories(dir.resolve("registry/events/versions/.staging-left.tmp"));
    Files.setLastModifiedTime(staging, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

    InProcessCommand.Outcome list = mtl("registry", "list", "--registry", root, "--name", "events");
    assertEquals(ExitCodes.OK, list.code(), list.err());
    assertTrue(list.out().contains("v0001"), list.out());
    assertTrue(
        list.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("! v0002")
                        && l.contains("DAMAGED")
                        && l.contains("no version.json")),
        list.out());
    assertTrue(
        list.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("! v0003")
                        && l.contains("DAMAGED")
                        && l.contains("cannot be read")),
        list.out());
    assertTrue(list.err().contains("registry gc"), list.err());
    assertFalse(list.err().contains("\tat "), "no stack trace: " + list.err());

    InProcessCommand.Outcome shown =
        mtl("registry", "show", "--registry", root, "--name", "events", "--model-version", "v0003");
    assertEquals(ExitCodes.REGISTRY, shown.code());
    assertTrue(shown.err().contains("is damaged"), shown.err());
    assertFalse(shown.err().contains("\tat "), "no stack trace: " + shown.err());

    InProcessCommand.Outcome gc = mtl("registry", "gc", "--registry", root, "--name", "events");
    assertEquals(ExitCodes.OK, gc.code(), gc.err());
    assertTrue(
        gc.out().contains("1 leftover(s) removed, 2 damaged version(s) moved aside"), gc.out());
    assertFalse(Files.exists(half) || Files.exists(broken) || Files.exists(staging));
    assertEquals(
        "only this",
        Files.readString(
            dir.resolve("registry/events/damaged")
                .toFile()
                .listFiles(f -> f.getName().startsWith("v0002-"))[0]
                .toPath()
                .resolve("model.zip")),
        "moved, not deleted");
    InProcessCommand.Outcome after =
        mtl("registry", "list", "--registry", root, "--name", "events");
    assertFalse(after.out().contains("DAMAGED"), after.out());
  }
}
