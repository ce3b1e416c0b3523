package org.mtlspark.workers.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Model files are checked before DL4J reads them; nothing else in them reaches Java deserialization. */
class ModelArchiveTest {
  @TempDir java.nio.file.Path dir;

  static ComputationGraph graph;
  static byte[] clean;

  /** Records that Java deserialization ran on it. */
  static final class Probe implements Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean deserialized;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      deserialized = true;
    }
  }

  @BeforeAll
  static void model() throws IOException {
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    graph = GraphBuilder.build(TestBatches.state(), config.model(), config.train(), 1);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ModelSerializer.writeModel(graph, bytes, true);
    clean = bytes.toByteArray();
  }

  @BeforeEach
  void reset() {
    Probe.deserialized = false;
  }

  private String file(String name, byte[] bytes) throws IOException {
    java.nio.file.Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p.toUri().toString();
  }

  static Map<String, byte[]> entries(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }

  static byte[] zip(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        out.write(e.getValue());
        out.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** The clean model with a {@code preprocessor.bin} entry holding a serialized {@link Probe}. */
  static byte[] withPreprocessorEntry() throws IOException {
    ByteArrayOutputStream object = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(object)) {
      out.writeObject(new Probe());
    }
    Map<String, byte[]> entries = entries(clean);
    entries.put("preprocessor.bin", object.toByteArray());
    return zip(entries);
  }

  private IOException refused(String name, byte[] bytes) throws IOException {
    String path = file(name, bytes);
    IOException e =
        assertThrows(IOException.class, () -> ModelFiles.read(new Configuration(), path));
    assertTrue(e.getMessage().startsWith("model file " + path + " "), e.getMessage());
    return e;
  }

  @Test
  void dl4jAloneDeserializesAnExtraEntryWhichIsWhyTheCheckExists() {
    try {
      ModelSerializer.restoreComputationGraph(
          new ByteArrayInputStream(withPreprocessorEntry()), true);
    } catch (Exception | Error e) {
      // the probe is not a DataSetPreProcessor; what matters is that its readObject ran
    }
    assertTrue(Probe.deserialized, "ModelSerializer hands preprocessor.bin to ObjectInputStream");
  }

  @Test
  void aPreprocessorEntryIsRefusedBeforeAnythingIsDeserialized() throws IOException {
    IOException e = refused("tampered.zip", withPreprocessorEntry());
    assertTrue(
        e.getMessage()
            .contains("contains an entry \"preprocessor.bin\" that mtlspark never writes"),
        e.getMessage());
    assertTrue(e.getMessage().contains("Java deserialization"), e.getMessage());
    assertFalse(Probe.deserialized, "readObject must never run");
  }

  @Test
  void aCleanModelLoadsWithIdenticalOutputsAndUpdaterState() throws IOException {
    String path = dir.resolve("model.zip").toUri().toString();
    ModelFiles.write(new Configuration(), path, graph);
    ComputationGraph loaded = ModelFiles.read(new Configuration(), path);
    assertEquals(graph.params(), loaded.params());
    assertEquals(graph.getUpdater().getStateViewArray(), loaded.getUpdater().getStateViewArray());
    FeaturizerState s = TestBatches.state();
    MultiDataSet batch = BatchBuilder.build(TestBatches.examples(s, 5, 3, true));
    INDArray[] expected = graph.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays());
    INDArray[] actual = loaded.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays());
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i]);
    }
  }

  @Test
  void scoringBytesPassTheCheckWithoutUpdaterState() throws IOException {
    ComputationGraph loaded = ModelFiles.restore(ModelFiles.forScoring(graph), "broadcast", false);
    assertEquals(graph.params(), loaded.params());
  }

  @Test
  void aPathLikeEntryIsRefused() throws IOException {
    Map<String, byte[]> entries = entries(clean);
    entries.put("../x", new byte[] {1});
    IOException e = refused("path.zip", zip(entries));
    assertTrue(e.getMessage().contains("\"../x\""), e.getMessage());
  }

  @Test
  void aRepeatedEntryIsRefused() throws IOException {
    // ZipOutputStream will not write a name twice: write a same-length name and rename it in the
    // bytes
    Map<String, byte[]> entries = entries(clean);
    entries.put("coefficientsXbin", entries.get(ModelArchive.COEFFICIENTS));
    String zip =
        new String(zip(entries), StandardCharsets.ISO_8859_1)
            .replace("coefficientsXbin", "coefficients.bin");
    IOException e = refused("twice.zip", zip.getBytes(StandardCharsets.ISO_8859_1));
    assertTrue(
        e.getMessage().contains("contains the entry \"coefficients.bin\" twice"), e.getMessage());
  }

  @Test
  void anEntryThatUnpacksFarBeyondItsFileIsRefusedWithoutReadingIt() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> e : entries(clean).entrySet()) {
        out.putNextEntry(new ZipEntry(e.getKey()));
        if (e.getKey().equals(ModelArchive.UPDATER_STATE)) {
          byte[] zeros = new byte[1 << 20];
          for (int i = 0; i < 128; i++) {
            out.write(zeros);
          }
        } else {
          out.write(e.getValue());
        }
        out.closeEntry();
      }
    }
    IOException e = refused("bomb.zip", bytes.toByteArray());
    assertTrue(
        e.getMessage().contains("entry \"updaterState.bin\" that unpacks to more than"),
        e.getMessage());
  }

  @Test
  void anArrayDeclaringMoreValuesThanItHoldsIsRefused() throws IOException {
    ByteArrayOutputStream array = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(array)) {
      out.writeUTF("MIXED_DATA_TYPES");
      out.writeLong(6);
      out.writeUTF("LONG");
      for (long v : new long[] {1, 1L << 40, 1, 8192, 1, 'c'}) {
        out.writeLong(v);
      }
      out.writeUTF("MIXED_DATA_TYPES");
      out.writeLong(1L << 40);
      out.writeUTF("FLOAT");
      out.writeFloat(1f);
    }
    Map<String, byte[]> entries = entries(clean);
    entries.put(ModelArchive.COEFFICIENTS, array.toByteArray());
    IOException e = refused("huge.zip", zip(entries));
    assertTrue(
        e.getMessage()
            .contains(
                "\"coefficients.bin\" that is not an array as ND4J writes one: "
                    + "its data at byte 80 declares 1099511627776 values of type FLOAT where 4 bytes are left"),
        e.getMessage());
  }

  @Test
  void aConfigurationNamingAForeignClassIsRefused() throws IOException {
    Map<String, byte[]> entries = entries(clean);
    String json = new String(entries.get(ModelArchive.CONFIGURATION), StandardCharsets.UTF_8);
    assertTrue(
        json.contains("\"org.nd4j.linalg.activations.impl."),
        "the configuration names its activations");
    json =
        json.replaceFirst(
            "\"org\\.nd4j\\.linalg\\.activations\\.impl\\.[A-Za-z]+\"", "\"com.example.Gadget\"");
    entries.put(ModelArchive.CONFIGURATION, json.getBytes(StandardCharsets.UTF_8));
    IOException e = refused("foreign.zip", zip(entries));
    assertTrue(e.getMessage().contains("naming the class \"com.example.Gadget\""), e.getMessage());
  }

  @Test
  void aFileWithoutTheModelEntriesOrNotAZipIsRefused() throws IOException {
    Map<String, byte[]> entries = entries(clean);
    entries.remove(ModelArchive.CONFIGURATION);
    assertTrue(
        refused("noconf.zip", zip(entries))
            .getMessage()
            .contains("has no entry \"configuration.json\""));
    entries = entries(clean);
    entries.remove(ModelArchive.COEFFICIENTS);
    assertTrue(refused("noparams.zip", zip(entries)).getMessage().contains("exactly one of"));
    IOException e = refused("text.zip", "not a zip".getBytes(StandardCharsets.US_ASCII));
    assertTrue(e.getMessage().contains("has no entry"), e.getMessage());
  }

  @Test
  void theRebuiltZipHoldsOnlyTheAcceptedEntriesUnchanged() throws IOException {
    Map<String, byte[]> original = entries(clean);
    Map<String, byte[]> rebuilt = entries(ModelArchive.checked(clean, "clean"));
    assertEquals(original.keySet(), rebuilt.keySet());
    for (String name : original.keySet()) {
      assertArrayEquals(original.get(name), rebuilt.get(name), name);
    }
  }
}
