package org.mtlspark.operate.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.PrepConfig.VectorsFormat;
import org.mtlspark.prep.feature.WordVectors;
import org.mtlspark.prep.split.Split;

class EmbedJobTest {
  @TempDir Path dir;

  private static final List<Map.Entry<String, float[]>> VECTORS =
      List.of(
          Map.entry("the", new float[] {0.5f, -0.25f, 1e-7f}),
          Map.entry("café", new float[] {-3.75f, 2f, 123456.79f}),
          Map.entry("good", new float[] {1f / 3, 0f, -0f}));

  private String written(EmbedJob.Format format) throws IOException {
    Path file = dir.resolve(format.file());
    try (OutputStream out = Files.newOutputStream(file)) {
      EmbedJob.write(VECTORS, 3, format, out);
    }
    return file.toUri().toString();
  }

  @Test
  void theBinaryFormatReadsBackExactlyAsWord2vecsBinary() throws IOException {
    String path = written(EmbedJob.Format.BINARY);
    byte[] bytes = Files.readAllBytes(Path.of(java.net.URI.create(path)));
    assertEquals("3 3\nthe ", new String(bytes, 0, 8, java.nio.charset.StandardCharsets.UTF_8));
    // Header, then per word: its UTF-8 bytes, a space, 3 floats, a newline.
    assertEquals(
        4 + (4 + 12 + 1) + ("café".getBytes("UTF-8").length + 1 + 12 + 1) + (5 + 12 + 1),
        bytes.length);
    WordVectors v =
        WordVectors.read(
            new Configuration(),
            path,
            VectorsFormat.BINARY,
            List.of("good", "café", "absent", "the"),
            true);
    assertEquals(3, v.covered());
    assertArrayEquals(VECTORS.get(2).getValue(), v.row(0));
    assertArrayEquals(VECTORS.get(1).getValue(), v.row(1));
    assertNull(v.row(2));
    assertArrayEquals(VECTORS.get(0).getValue(), v.row(3));
  }

  @Test
  void theTextFormatReadsBackToTheSameFloats() throws IOException {
    String path = written(EmbedJob.Format.TEXT);
    assertTrue(
        Files.readString(Path.of(java.net.URI.create(path)))
            .startsWith("3 3\nthe 0.5 -0.25 1.0E-7\n"));
    WordVectors v =
        WordVectors.read(
            new Configuration(), path, VectorsFormat.AUTO, List.of("café", "good"), true);
    assertArrayEquals(VECTORS.get(1).getValue(), v.row(0), "Float.toString reads back exactly");
    assertArrayEquals(VECTORS.get(2).getValue(), v.row(1));
  }

  private static EmbedJob.Options options(
      int dimension, int window, int minCount, int iterations, int partitions, Set<Split> splits) {
    return new EmbedJob.Options(
        dimension, window, minCount, iterations, partitions, splits, EmbedJob.Format.BINARY, 1);
  }

  @Test
  void optionsOutOfRangeAreNamed() {
    Set<Split> train = Set.of(Split.TRAIN);
    assertNull(options(100, 5, 5, 5, 1, train).problem());
    assertTrue(options(0, 5, 5, 5, 1, train).problem().startsWith("--dimension"));
    assertTrue(options(100, 0, 5, 5, 1, train).problem().startsWith("--window"));
    assertTrue(options(100, 5, 0, 5, 1, train).problem().startsWith("--min-count"));
    assertTrue(options(100, 5, 5, 0, 1, train).problem().startsWith("--iterations"));
    assertTrue(options(100, 5, 5, 5, 0, train).problem().startsWith("--partitions"));
    assertTrue(options(100, 5, 5, 5, 1, Set.of()).problem().startsWith("--splits"));
  }
}
