package org.mtlspark.prep.feature;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A batch pack: the batches of one Spark partition in one file. A split of a million examples
 * becomes a few files instead of tens of thousands of small ones, each of which would cost a
 * NameNode entry on HDFS (and, on Hadoop's local filesystem without its native library, a forked
 * {@code chmod} per file).
 *
 * <p>Layout: the magic {@code MTLPACK2}; per batch, its length (int) and its bytes; then the
 * footer: the offset of every batch (long each), their count (int) and the magic again. A file
 * without that footer is incomplete and refused. One batch is addressed as {@code <file>#<offset>}
 * (see {@link BatchFiles}). A batch is its row count, then four lists of matrices (features, feature
 * masks, labels, label masks), each a count and per matrix its column count (-1 for none) and its
 * values, row-major; all numbers big-endian. Packs of the first version ({@code MTLPACK1}, each
 * batch the bytes of ND4J's {@code MultiDataSet#save}) are still read.
 */
public final class BatchPack implements Closeable {
  /** The file extension of a batch pack. */
  public static final String EXTENSION = ".mdsp";

  static final byte[] MAGIC = "MTLPACK2".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAGIC_V1 = "MTLPACK1".getBytes(StandardCharsets.US_ASCII);

  /** The bytes after the footer's offsets: their count and the magic. */
  static final int TAIL = Integer.BYTES + MAGIC.length;

  private final DataOutputStream out;
  private final List<Long> offsets = new ArrayList<>();
  private ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
  private long position;

  /** Creates (or, for a retried Spark task, replaces) the pack at {@code path}. */
  public BatchPack(FileSystem fs, Path path) throws IOException {
    out = new DataOutputStream(new BufferedOutputStream(fs.create(path, true), 1 << 16));
    out.write(MAGIC);
    position = MAGIC.length;
  }

  /** Appends one batch. */
  public void add(BatchBuilder.Arrays batch) throws IOException {
    buffer.clear();
    put(Integer.BYTES);
    buffer.putInt(batch.rows());
    for (List<BatchBuilder.Matrix> list :
        List.of(batch.features(), batch.featureMasks(), batch.labels(), batch.labelMasks())) {
      put(Integer.BYTES);
      buffer.putInt(list.size());
      for (BatchBuilder.Matrix m : list) {
        put(Integer.BYTES + (m == null ? 0 : Float.BYTES * m.values().length));
        buffer.putInt(m == null ? -1 : m.columns());
        if (m != null) {
          buffer.asFloatBuffer().put(m.values());
          buffer.position(buffer.position() + Float.BYTES * m.values().length);
        }
      }
    }
    offsets.add(position);
    out.writeInt(buffer.position());
    out.write(buffer.array(), 0, buffer.position());
    position += Integer.BYTES + buffer.position();
  }

  /** Makes room for {@code bytes} more bytes in the buffer. */
  private void put(int bytes) {
    if (buffer.remaining() < bytes) {
      ByteBuffer larger =
          ByteBuffer.allocate(Math.max(2 * buffer.capacity(), buffer.position() + bytes));
      buffer.flip();
      larger.put(buffer);
      buffer = larger;
    }
  }

  /**
   * Reads a batch written by {@link #add}: {@code bytes}, found at byte {@code start} of the pack
   * at {@code path}. Every declared count and size is checked against the bytes left before
   * anything is allocated for it.
   */
  static BatchBuilder.Arrays decode(byte[] bytes, Path path, long start) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    int rows = count(in, path, start, "row count");
    List<List<BatchBuilder.Matrix>> lists = new ArrayList<>(4);
    for (int l = 0; l < 4; l++) {
      long at = start + in.position();
      int n = count(in, path, start, "matrix count");
      if ((long) n * Integer.BYTES > in.remaining()) {
        throw corrupt(
            path,
            at,
            "declares " + n + " matrices (at least " + (long) n * Integer.BYTES + " bytes)",
            in.remaining());
      }
      List<BatchBuilder.Matrix> list = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        at = start + in.position();
        int columns = need(in, path, start, "column count").getInt();
        if (columns < -1) {
          throw corrupt(path, at, "declares " + columns + " columns", in.remaining());
        }
        if (columns == -1) {
          list.add(null);
          continue;
        }
        long size;
        try {
          size = Math.multiplyExact(Math.multiplyExact((long) rows, columns), (long) Float.BYTES);
        } catch (ArithmeticException e) {
          size = Long.MAX_VALUE;
        }
        if (size > in.remaining()) {
          throw corrupt(
              path,
              at,
              "declares "
                  + rows
                  + " x "
                  + columns
                  + " values ("
                  + (size == Long.MAX_VALUE ? "more than 2^63" : String.valueOf(size))
                  + " bytes)",
              in.remaining());
        }
        float[] values = new float[(int) (size / Float.BYTES)];
        in.asFloatBuffer().get(values);
        in.position(in.position() + (int) size);
        list.add(new BatchBuilder.Matrix(columns, values));
      }
      lists.add(list);
    }
    if (in.hasRemaining()) {
      throw new IOException(
          "batch pack "
              + path
              + " is corrupt: the batch at byte "
              + start
              + " has "
              + in.remaining()
              + " bytes after its last matrix; prepare the data again");
    }
    return new BatchBuilder.Arrays(rows, lists.get(0), lists.get(1), lists.get(2), lists.get(3));
  }

  /** A non-negative count read from {@code in}. */
  private static int count(ByteBuffer in, Path path, long start, String what) throws IOException {
    long at = start + in.position();
    int n = need(in, path, start, what).getInt();
    if (n < 0) {
      throw corrupt(path, at, "declares a " + what + " of " + n, in.remaining());
    }
    return n;
  }

  /** {@code in}, after checking that an int is left in it. */
  private static ByteBuffer need(ByteBuffer in, Path path, long start, String what)
      throws IOException {
    if (in.remaining() < Integer.BYTES) {
      throw corrupt(path, start + in.position(), "ends before its " + what, in.remaining());
    }
    return in;
  }

  /** A batch that declares more than it holds (an error naming the file, the offset and both sizes). */
  static IOException corrupt(Path path, long offset, String declared, long available) {
    return new IOException(
        "batch pack "
            + path
            + " is corrupt at byte "
            + offset
            + ": it "
            + declared
            + " where "
            + available
            + " bytes are left in the batch; prepare the data again");
  }

  public int size() {
    return offsets.size();
  }

  /** Writes the footer and closes the file; only then is the pack readable. */
  @Override
  public void close() throws IOException {
    try (out) {
      for (long o : offsets) {
        out.writeLong(o);
      }
      out.writeInt(offsets.size());
      out.write(MAGIC);
    }
  }

  /** Whether the pack at {@code path} is of the first version (its magic, read from the open file). */
  static boolean firstVersion(FSDataInputStream in, Path path) throws IOException {
    byte[] head = new byte[MAGIC.length];
    in.readFully(0, head);
    if (Arrays.equals(head, MAGIC_V1)) {
      return true;
    }
    if (!Arrays.equals(head, MAGIC)) {
      throw incomplete(
          path, "its first bytes are not " + new String(MAGIC, StandardCharsets.US_ASCII));
    }
    return false;
  }

  /** The offsets of the batches in the pack at {@code path}, from its footer. */
  public static long[] offsets(Configuration conf, Path path) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    long length = fs.getFileStatus(path).getLen();
    try (FSDataInputStream in = fs.open(path)) {
      if (length < MAGIC.length + TAIL) {
        throw incomplete(path, "it is " + length + " bytes long");
      }
      byte[] head = firstVersion(in, path) ? MAGIC_V1 : MAGIC;
      byte[] magic = new byte[MAGIC.length];
      in.seek(length - TAIL);
      int count = in.readInt();
      in.readFully(magic);
      if (!Arrays.equals(magic, head)) {
        throw incomplete(
            path, "its last bytes are not " + new String(head, StandardCharsets.US_ASCII));
      }
      long footer = length - TAIL - (long) count * Long.BYTES;
      if (count < 0 || footer < MAGIC.length) {
        throw incomplete(path, "its footer counts " + count + " batches");
      }
      long[] offsets = new long[count];
      in.seek(footer);
      for (int i = 0; i < count; i++) {
        offsets[i] = in.readLong();
        if (offsets[i] < MAGIC.length || offsets[i] >= footer) {
          throw incomplete(path, "batch " + i + " starts at " + offsets[i] + ", outside its data");
        }
      }
      return offsets;
    }
  }

  /**
   * Where the batches of the pack at {@code path} ({@code length} bytes, open as {@code in}) end:
   * the start of its footer, from the batch count the footer gives.
   */
  static long dataEnd(FSDataInputStream in, Path path, long length) throws IOException {
    if (length < MAGIC.length + TAIL) {
      throw incomplete(path, "it is " + length + " bytes long");
    }
    in.seek(length - TAIL);
    int count = in.readInt();
    long footer = length - TAIL - (long) count * Long.BYTES;
    if (count < 0 || footer < MAGIC.length) {
      throw incomplete(path, "its footer counts " + count + " batches");
    }
    return footer;
  }

  private static IOException incomplete(Path path, String why) {
    return new IOException(
        "batch pack "
            + path
            + " is incomplete or not a batch pack ("
            + why
            + "); prepare the data again");
  }
}
