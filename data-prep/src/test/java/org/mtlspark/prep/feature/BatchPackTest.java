package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.MultiDataSet;

class BatchPackTest {
  @TempDir java.nio.file.Path dir;

  private static List<Example> examples(int n, float base) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float v = base + i;
      out.add(
          new Example(
              "k" + i,
              new float[] {v, -v},
              new float[0],
              new float[0],
              new float[0],
              new float[] {1},
              new float[][] {{v * 2}},
              new float[] {i % 2}));
    }
    return out;
  }

  private String write(String name, int batches) throws IOException {
    Configuration conf = new Configuration();
    Path path = new Path(dir.resolve(name).toUri());
    try (BatchPack pack = new BatchPack(FileSystem.getLocal(conf), path)) {
      for (int b = 0; b < batches; b++) {
        pack.add(BatchBuilder.arrays(examples(4, 100 * b)));
      }
    }
    return path.toString();
  }

  @Test
  void everyBatchReadsBackAsWrittenByItsReference() throws IOException {
    String file = write("a" + BatchPack.EXTENSION, 3);
    List<String> refs = BatchFiles.references(new Configuration(), file);
    assertEquals(3, refs.size());
    for (int b = 0; b < 3; b++) {
      MultiDataSet read = BatchFiles.read(new Configuration(), refs.get(b));
      org.nd4j.linalg.dataset.api.MultiDataSet built = BatchBuilder.build(examples(4, 100 * b));
      assertEquals(built.getFeatures(0), read.getFeatures(0));
      assertEquals(built.getLabels(0), read.getLabels(0));
      assertEquals(built.getLabelsMaskArray(0), read.getLabelsMaskArray(0));
      assertNull(read.getFeaturesMaskArray(0), "an absent feature mask stays absent");
    }
  }

  @Test
  void aRelativePathGivesReferencesAnExecutorElsewhereCanRead() throws IOException {
    String file = write("a" + BatchPack.EXTENSION, 2);
    java.nio.file.Path here = java.nio.file.Path.of("").toAbsolutePath();
    String relative = here.relativize(dir.resolve("a" + BatchPack.EXTENSION)).toString();
    List<String> refs = BatchFiles.references(new Configuration(), relative);
    assertEquals(BatchFiles.references(new Configuration(), file), refs);
    assertTrue(refs.get(0).startsWith("file:/"), refs.get(0));
  }

  @Test
  void readAllKeepsTheRequestedOrderAcrossPacks() throws IOException {
    List<String> a =
        BatchFiles.references(new Configuration(), write("a" + BatchPack.EXTENSION, 2));
    List<String> b =
        BatchFiles.references(new Configuration(), write("b" + BatchPack.EXTENSION, 2));
    List<String> order = List.of(b.get(1), a.get(0), b.get(0), a.get(1));
    List<MultiDataSet> all = BatchFiles.readAll(new Configuration(), order);
    for (int i = 0; i < order.size(); i++) {
      assertEquals(
          BatchFiles.read(new Configuration(), order.get(i)).getFeatures(0),
          all.get(i).getFeatures(0));
    }
    assertEquals(100f, all.get(0).getFeatures(0).getFloat(0, 0), "b's second batch starts at 100");
  }

  @Test
  void aTruncatedPackIsRefusedWithItsName() throws IOException {
    String file = write("t" + BatchPack.EXTENSION, 2);
    java.nio.file.Path local = dir.resolve("t" + BatchPack.EXTENSION);
    byte[] bytes = Files.readAllBytes(local);
    Files.write(local, java.util.Arrays.copyOf(bytes, bytes.length - 5));
    Files.deleteIfExists(dir.resolve(".t" + BatchPack.EXTENSION + ".crc"));
    IOException e =
        assertThrows(IOException.class, () -> BatchFiles.references(new Configuration(), file));
    assertTrue(
        e.getMessage().contains("t" + BatchPack.EXTENSION) && e.getMessage().contains("incomplete"),
        e.getMessage());
  }

  @Test
  void packsOfTheFirstVersionAreStillRead() throws IOException {
    // The first version: each batch is the bytes of ND4J's MultiDataSet#save.
    java.nio.file.Path v1 = dir.resolve("v1" + BatchPack.EXTENSION);
    List<Long> offsets = new ArrayList<>();
    try (var out = new java.io.DataOutputStream(Files.newOutputStream(v1))) {
      out.write(BatchPack.MAGIC_V1);
      long position = BatchPack.MAGIC_V1.length;
      for (int b = 0; b < 2; b++) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        BatchBuilder.build(examples(4, 100 * b)).save(bytes);
        offsets.add(position);
        out.writeInt(bytes.size());
        bytes.writeTo(out);
        position += Integer.BYTES + bytes.size();
      }
      for (long o : offsets) {
        out.writeLong(o);
      }
      out.writeInt(offsets.size());
      out.write(BatchPack.MAGIC_V1);
    }
    List<String> refs = BatchFiles.references(new Configuration(), v1.toString());
    assertEquals(2, refs.size());
    MultiDataSet second = BatchFiles.read(new Configuration(), refs.get(1));
    assertEquals(BatchBuilder.build(examples(4, 100)).getFeatures(0), second.getFeatures(0));
    assertNull(second.getFeaturesMaskArray(0));
  }

  @Test
  void textMasksAndEveryLabelSurviveThePack() throws IOException {
    List<Example> batch = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      batch.add(
          new Example(
              "k" + i,
              new float[] {i},
              new float[] {3 + i, 4, 0},
              new float[] {1, 1, 0},
              new float[] {0.5f * i, 1, 0, 0.25f},
              new float[] {1, 1, i % 2},
              new float[][] {{i}, {0, 1, 0}},
              new float[] {1, i % 2}));
    }
    Configuration conf = new Configuration();
    Path path = new Path(dir.resolve("m" + BatchPack.EXTENSION).toUri());
    try (BatchPack pack = new BatchPack(FileSystem.getLocal(conf), path)) {
      pack.add(BatchBuilder.arrays(batch));
    }
    MultiDataSet read = BatchFiles.read(conf, BatchFiles.references(conf, path.toString()).get(0));
    org.nd4j.linalg.dataset.api.MultiDataSet built = BatchBuilder.build(batch);
    assertEquals(4, read.numFeatureArrays());
    for (int i = 0; i < 4; i++) {
      assertEquals(built.getFeatures(i), read.getFeatures(i));
      assertEquals(built.getFeaturesMaskArray(i), read.getFeaturesMaskArray(i));
    }
    assertEquals(3, read.getFeaturesMaskArray(1).size(0), "the token mask is [rows, tokens]");
    for (int t = 0; t < 2; t++) {
      assertEquals(built.getLabels(t), read.getLabels(t));
      assertEquals(built.getLabelsMaskArray(t), read.getLabelsMaskArray(t));
    }
    assertEquals(1f, read.getLabels(1).getFloat(2, 1));
  }

  @Test
  void aSingleBatchFileIsStillReadable() throws IOException {
    java.nio.file.Path one = dir.resolve("one.mds");
    try (var out = Files.newOutputStream(one)) {
      BatchBuilder.build(examples(4, 7)).save(out);
    }
    assertEquals(
        7f, BatchFiles.read(new Configuration(), one.toString()).getFeatures(0).getFloat(0, 0));
  }
}
