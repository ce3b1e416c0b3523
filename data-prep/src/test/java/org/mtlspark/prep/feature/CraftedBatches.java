package org.mtlspark.prep.feature;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Batch files that declare more than they hold, or carry something that must never be read, with
 * the part of the refusal each must give. {@link #main} reads the references it is given and says
 * for each whether it was refused; a test runs it in a JVM with a small heap.
 */
public final class CraftedBatches {
  private CraftedBatches() {}

  /** A crafted batch: its reference and a fragment of the error it must be refused with. */
  public record Crafted(String ref, String refusal) {}

  /** Records that Java deserialization ran on it. */
  static final class Probe implements Serializable {
    private static final long serialVersionUID = 1L;
    static volatile boolean deserialized;

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
      in.defaultReadObject();
      deserialized = true;
    }
  }

  /** Writes {@code batch} as the only batch of a pack with the given magic; its reference. */
  static String pack(Path file, byte[] magic, int declaredLength, byte[] batch) throws IOException {
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
      out.write(magic);
      out.writeInt(declaredLength);
      out.write(batch);
      out.writeLong(magic.length);
      out.writeInt(1);
      out.write(magic);
    }
    return file + "#" + magic.length;
  }

  static byte[] ints(int... values) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (int v : values) {
        out.writeInt(v);
      }
    }
    return bytes.toByteArray();
  }

  /** A batch as ND4J saves one, holding a single array that declares rows x columns floats and has one. */
  static byte[] nd4jBatchDeclaring(long rows, long columns) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      for (int count : new int[] {1, 0, 0, 0}) {
        out.writeInt(count);
      }
      out.writeUTF("MIXED_DATA_TYPES");
      out.writeLong(8);
      out.writeUTF("LONG");
      for (long v : new long[] {2, rows, columns, columns, 1, 8192, 1, 'c'}) {
        out.writeLong(v);
      }
      out.writeUTF("MIXED_DATA_TYPES");
      out.writeLong(rows * columns);
      out.writeUTF("FLOAT");
      out.writeFloat(1f);
    }
    return bytes.toByteArray();
  }

  /** Writes every crafted file into {@code dir}; a legit single-batch file ({@code saved}) is given metadata. */
  public static Map<String, Crafted> craft(Path dir, byte[] saved) throws IOException {
    Map<String, Crafted> out = new LinkedHashMap<>();
    byte[] magic = BatchPack.MAGIC;
    // the batch says 40 bytes, but only 12 come before the footer
    out.put(
        "truncated",
        new Crafted(
            pack(dir.resolve("truncated.mdsp"), magic, 40, ints(2, 1, 1)),
            "is corrupt at byte 8: it declares a batch of 40 bytes where 12 bytes are left before its footer"));
    out.put(
        "huge length",
        new Crafted(
            pack(dir.resolve("huge.mdsp"), magic, 0x7ffffff0, ints(1, 0, 0, 0, 0)),
            "is corrupt at byte 8: it declares a batch of 2147483632 bytes where 20 bytes are left before its footer"));
    // 48 bytes in all: rows 20000, one feature matrix of 20000 columns, one float
    out.put(
        "20000x20000",
        new Crafted(
            pack(
                dir.resolve("square.mdsp"),
                magic,
                16,
                ints(20000, 1, 20000, Float.floatToIntBits(1f))),
            "is corrupt at byte 20: it declares 20000 x 20000 values (1600000000 bytes) where 4 bytes are left"));
    out.put(
        "rows x columns overflow",
        new Crafted(
            pack(
                dir.resolve("overflow.mdsp"),
                magic,
                16,
                ints(Integer.MAX_VALUE, 1, Integer.MAX_VALUE, 0)),
            "is corrupt at byte 20: it declares 2147483647 x 2147483647 values (more than 2^63 bytes) where 4 bytes"));
    out.put(
        "negative rows",
        new Crafted(
            pack(dir.resolve("negative.mdsp"), magic, 4, ints(-1)),
            "is corrupt at byte 12: it declares a row count of -1"));
    out.put(
        "many matrices",
        new Crafted(
            pack(dir.resolve("matrices.mdsp"), magic, 8, ints(1, 0x7fffffff)),
            "is corrupt at byte 16: it declares 2147483647 matrices"));
    byte[] square = nd4jBatchDeclaring(20000, 20000);
    out.put(
        "first version 20000x20000",
        new Crafted(
            pack(dir.resolve("v1.mdsp"), BatchPack.MAGIC_V1, square.length, square),
            "declares 400000000 values of type FLOAT where 4 bytes are left"));
    Path single = dir.resolve("metadata.mds");
    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(single))) {
      o.write(saved);
      o.writeInt(1);
      try (ObjectOutputStream object = new ObjectOutputStream(o)) {
        object.writeObject(List.of(new Probe()));
      }
    }
    out.put("metadata", new Crafted(single.toString(), "where ND4J keeps example metadata"));
    return out;
  }

  /** Reads every reference given; prints REFUSED, READ or FAILED for each; exits 0 only when all were refused. */
  public static void main(String[] refs) {
    boolean allRefused = true;
    for (String ref : refs) {
      try {
        BatchFiles.read(new Configuration(), ref);
        System.out.println("READ " + ref);
        allRefused = false;
      } catch (IOException e) {
        System.out.println("REFUSED " + ref + " :: " + e.getMessage());
      } catch (Throwable t) {
        System.out.println("FAILED " + ref + " :: " + t);
        allRefused = false;
      }
    }
    System.out.println("deserialized: " + Probe.deserialized);
    System.exit(allRefused && !Probe.deserialized ? 0 : 1);
  }
}
