package org.mtlspark.workers.run;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.mtlspark.prep.io.NdArrayLayout;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The gate every model file passes before DL4J reads it. DL4J's {@code ModelSerializer} hands some
 * entries of a model zip ({@code preprocessor.bin}) to Java deserialization, which can run code
 * chosen by whoever wrote the file, and sizes its buffers from sizes the zip declares. So the zip
 * is unpacked here first, with bounded sizes, and only what {@code ModelSerializer.writeModel}
 * writes for a graph is accepted: {@code configuration.json}, {@code coefficients.bin} (or {@code
 * noParams.marker}) and {@code updaterState.bin}, each at most once, the arrays well formed and the
 * configuration naming only classes of DL4J, ND4J and mtlspark. DL4J is then given a zip rebuilt
 * from the accepted entries, never the original bytes.
 */
public final class ModelArchive {
  static final String CONFIGURATION = "configuration.json";
  static final String COEFFICIENTS = "coefficients.bin";
  static final String UPDATER_STATE = "updaterState.bin";
  static final String NO_PARAMS = "noParams.marker";

  /** The entries mtlspark writes, in the order ModelSerializer writes them. */
  static final List<String> ENTRIES =
      List.of(CONFIGURATION, COEFFICIENTS, NO_PARAMS, UPDATER_STATE);

  /** A graph configuration of a few megabytes is already far larger than any this project builds. */
  static final long MAX_CONFIGURATION_BYTES = 16L << 20;

  /** Unpacked entries may total this much plus {@link #MAX_EXPANSION} times the file's own size. */
  static final long BASE_ALLOWANCE = 64L << 20;

  /** Parameters compress little; a file that unpacks to more than this factor is a zip bomb. */
  static final long MAX_EXPANSION = 100;

  /** The largest entry a Java array holds. */
  private static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 16;

  private static final Set<String> CLASS_PREFIXES =
      Set.of("org.deeplearning4j.", "org.nd4j.", "org.mtlspark.");

  private ModelArchive() {}

  /**
   * The model file {@code zip} (named {@code source} in errors), checked and rebuilt from its
   * accepted entries; throws naming the file and the entry when anything else is in it.
   */
  public static byte[] checked(byte[] zip, String source) throws IOException {
    Map<String, byte[]> entries = unpack(zip, source);
    if (!entries.containsKey(CONFIGURATION)) {
      throw refused(
          source, "has no entry \"" + CONFIGURATION + "\"; it is not a model written by mtlspark");
    }
    if (entries.containsKey(COEFFICIENTS) == entries.containsKey(NO_PARAMS)) {
      throw refused(
          source, "must hold exactly one of \"" + COEFFICIENTS + "\" and \"" + NO_PARAMS + "\"");
    }
    if (entries.containsKey(NO_PARAMS) && entries.get(NO_PARAMS).length > 0) {
      throw refused(source, "has a non-empty entry \"" + NO_PARAMS + "\"");
    }
    checkConfiguration(entries.get(CONFIGURATION), source);
    for (String array : List.of(COEFFICIENTS, UPDATER_STATE)) {
      if (entries.containsKey(array)) {
        checkArray(entries.get(array), source, array);
      }
    }
    return rebuild(entries);
  }

  /**
   * Whether the checked model file {@code zip} ({@link #checked}'s result) holds a graph
   * (ComputationGraph) rather than a stack of layers (MultiLayerNetwork).
   */
  public static boolean isGraph(byte[] zip) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        if (entry.getName().equals(CONFIGURATION)) {
          return new ObjectMapper().readTree(in.readAllBytes()).has("vertices");
        }
      }
    }
    return false;
  }

  /** The entries of {@code zip} by name, refusing unknown or repeated names and oversized contents. */
  private static Map<String, byte[]> unpack(byte[] zip, String source) throws IOException {
    long budget = BASE_ALLOWANCE + MAX_EXPANSION * zip.length;
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        String name = entry.getName();
        if (!ENTRIES.contains(name)) {
          throw refused(
              source,
              "contains an entry \""
                  + NdArrayLayout.printable(name)
                  + "\" that mtlspark never writes; refusing to load it (it could run code through Java deserialization)");
        }
        if (entries.containsKey(name)) {
          throw refused(
              source,
              "contains the entry \""
                  + name
                  + "\" twice; refusing to load it (readers of a zip may disagree on which copy counts)");
        }
        long limit =
            Math.min(
                budget, name.equals(CONFIGURATION) ? MAX_CONFIGURATION_BYTES : MAX_ARRAY_BYTES);
        byte[] bytes = readAtMost(in, limit);
        if (bytes == null) {
          throw refused(
              source,
              "has an entry \""
                  + name
                  + "\" that unpacks to more than "
                  + limit
                  + " bytes (the file is "
                  + zip.length
                  + " bytes); refusing to load it");
        }
        budget -= bytes.length;
        entries.put(name, bytes);
      }
    } catch (ZipException | EOFException e) {
      throw refused(source, "is not a readable zip (" + e.getMessage() + ")");
    }
    return entries;
  }

  /** All of the current entry, or null when it holds more than {@code limit} bytes. */
  private static byte[] readAtMost(InputStream in, long limit) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[1 << 16];
    long total = 0;
    int n;
    while ((n = in.read(chunk)) > 0) {
      total += n;
      if (total > limit) {
        return null;
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  /** The configuration is JSON whose type names ({@code @class}) are all DL4J, ND4J or mtlspark classes. */
  private static void checkConfiguration(byte[] json, String source) throws IOException {
    JsonNode tree;
    try {
      tree = new ObjectMapper().readTree(json);
    } catch (IOException e) {
      throw refused(
          source,
          "has an entry \"" + CONFIGURATION + "\" that is not JSON (" + e.getMessage() + ")");
    }
    if (tree == null || !tree.isObject()) {
      throw refused(source, "has an entry \"" + CONFIGURATION + "\" that is not a JSON object");
    }
    checkClassNames(tree, source);
  }

  private static void checkClassNames(JsonNode node, String source) throws IOException {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("@class")) {
          String name = field.getValue().asText();
          if (CLASS_PREFIXES.stream().noneMatch(name::startsWith)) {
            throw refused(
                source,
                "has an entry \""
                    + CONFIGURATION
                    + "\" naming the class \""
                    + NdArrayLayout.printable(name)
                    + "\", which is not part of DL4J, ND4J or mtlspark; refusing to load it");
          }
        }
        checkClassNames(field.getValue(), source);
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        checkClassNames(element, source);
      }
    }
  }

  /** An array as {@code Nd4j.write} stores it, and nothing after it. */
  private static void checkArray(byte[] bytes, String source, String name) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      NdArrayLayout.skip(in, 0);
    } catch (NdArrayLayout.MalformedException e) {
      throw refused(
          source,
          "has an entry \""
              + name
              + "\" that is not an array as ND4J writes one: "
              + e.getMessage());
    }
    if (in.hasRemaining()) {
      throw refused(
          source,
          "has an entry \""
              + name
              + "\" with "
              + in.remaining()
              + " unexpected bytes after its array");
    }
  }

  /** A zip of the accepted entries, stored without compression: it is read once, right away. */
  private static byte[] rebuild(Map<String, byte[]> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(bytes)) {
      out.setLevel(Deflater.NO_COMPRESSION);
      for (String name : ENTRIES) {
        if (entries.containsKey(name)) {
          out.putNextEntry(new ZipEntry(name));
          out.write(entries.get(name));
          out.closeEntry();
        }
      }
    }
    return bytes.toByteArray();
  }

  private static IOException refused(String source, String why) {
    return new IOException("model file " + source + " " + why);
  }
}
