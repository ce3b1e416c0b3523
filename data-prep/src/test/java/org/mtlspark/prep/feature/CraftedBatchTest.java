package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.MultiDataSet;

/** Batch files that declare more than they hold are refused, naming file, offset and sizes, before any allocation. */
class CraftedBatchTest {
  @TempDir java.nio.file.Path dir;

  private static List<Example> examples(int n) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(
          new Example(
              "k" + i,
              new float[] {i, -i},
              new float[0],
              new float[0],
              new float[0],
              new float[] {1},
              new float[][] {{i * 2f}},
              new float[] {i % 2}));
    }
    return out;
  }

  private Map<String, CraftedBatches.Crafted> craft() throws IOException {
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    BatchBuilder.build(examples(3)).save(saved);
    return CraftedBatches.craft(dir, saved.toByteArray());
  }

  @BeforeEach
  void reset() {
    CraftedBatches.Probe.deserialized = false;
  }

  @Test
  void everyCraftedBatchIsRefusedWithFileOffsetAndSizes() throws IOException {
    for (Map.Entry<String, CraftedBatches.Crafted> c : craft().entrySet()) {
      String ref = c.getValue().ref();
      IOException e =
          assertThrows(
              IOException.class, () -> BatchFiles.read(new Configuration(), ref), c.getKey());
      String file = ref.contains("#") ? ref.substring(0, ref.indexOf('#')) : ref;
      assertTrue(e.getMessage().contains(file), c.getKey() + ": " + e.getMessage());
      assertTrue(
          e.getMessage().contains(c.getValue().refusal()), c.getKey() + ": " + e.getMessage());
      IOException all =
          assertThrows(
              IOException.class, () -> BatchFiles.readAll(new Configuration(), List.of(ref)));
      assertEquals(e.getMessage(), all.getMessage(), c.getKey());
    }
    assertFalse(CraftedBatches.Probe.deserialized, "example metadata must never be deserialized");
  }

  @Test
  void nd4jAloneDeserializesExampleMetadataWhichIsWhyTheCheckExists() throws IOException {
    String ref = craft().get("metadata").ref();
    try (InputStream in = Files.newInputStream(java.nio.file.Path.of(ref))) {
      new MultiDataSet().load(in);
    }
    assertTrue(CraftedBatches.Probe.deserialized);
  }

  @Test
  void aLegitPackStillRoundTrips() throws IOException {
    Configuration conf = new Configuration();
    Path path = new Path(dir.resolve("ok" + BatchPack.EXTENSION).toUri());
    try (BatchPack pack = new BatchPack(FileSystem.getLocal(conf), path)) {
      pack.add(BatchBuilder.arrays(examples(5)));
      pack.add(BatchBuilder.arrays(examples(2)));
    }
    List<String> refs = BatchFiles.references(conf, path.toString());
    List<MultiDataSet> read = BatchFiles.readAll(conf, refs);
    assertEquals(BatchBuilder.build(examples(5)).getFeatures(0), read.get(0).getFeatures(0));
    assertEquals(
        BatchBuilder.build(examples(2)).getLabels(0),
        BatchFiles.read(conf, refs.get(1)).getLabels(0));
  }

  @Test
  void aReferenceOutsideThePackIsRefused() throws IOException {
    Configuration conf = new Configuration();
    Path path = new Path(dir.resolve("ok" + BatchPack.EXTENSION).toUri());
    try (BatchPack pack = new BatchPack(FileSystem.getLocal(conf), path)) {
      pack.add(BatchBuilder.arrays(examples(2)));
    }
    IOException e = assertThrows(IOException.class, () -> BatchFiles.read(conf, path + "#999999"));
    assertTrue(e.getMessage().contains("has no batch at offset 999999"), e.getMessage());
  }

  /** In a JVM with a 64 MB heap, every crafted file gives its refusal and nothing runs out of memory. */
  @Test
  void aSmallHeapRefusesEveryCraftedBatchWithoutRunningOutOfMemory() throws Exception {
    Map<String, CraftedBatches.Crafted> crafted = craft();
    List<String> command =
        new ArrayList<>(
            List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                CraftedBatches.class.getName()));
    crafted.values().forEach(c -> command.add(c.ref()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the reader finishes");
    String out = new String(output, StandardCharsets.UTF_8);
    assertFalse(out.contains("OutOfMemoryError"), out);
    assertEquals(0, p.exitValue(), out);
    for (Map.Entry<String, CraftedBatches.Crafted> c : crafted.entrySet()) {
      assertTrue(out.contains("REFUSED " + c.getValue().ref() + " :: "), c.getKey() + ": " + out);
      assertTrue(out.contains(c.getValue().refusal()), c.getKey() + ": " + out);
    }
    assertTrue(out.contains("deserialized: false"), out);
  }
}
