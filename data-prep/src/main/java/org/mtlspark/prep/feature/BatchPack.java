package org.mtlspark.prep.feature;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A batch pack: the MultiDataSet batches of one Spark partition in one file. A split of a million
 * examples becomes a few files instead of tens of thousands of small ones, each of which would
 * cost a NameNode entry on HDFS (and, on Hadoop's local filesystem without its native library, a
 * forked {@code chmod} per file).
 *
 * <p>Layout: the magic {@code MTLPACK1}; per batch, its length (int) and the bytes of {@link
 * org.nd4j.linalg.dataset.MultiDataSet#save}; then the footer: the offset of every batch (long
 * each), their count (int) and the magic again. A file without that footer is incomplete and
 * refused. One batch is addressed as {@code <file>#<offset>} (see {@link BatchFiles}).
 */
public final class BatchPack implements Closeable {
  /** The file extension of a batch pack. */
  public static final String EXTENSION = ".mdsp";

  static final byte[] MAGIC = "MTLPACK1".getBytes(StandardCharsets.US_ASCII);
  private static final int TAIL = Integer.BYTES + MAGIC.length;

  private final DataOutputStream out;
  private final List<Long> offsets = new ArrayList<>();
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);
  private long position;

  /** Creates (or, for a retried Spark task, replaces) the pack at {@code path}. */
  public BatchPack(FileSystem fs, Path path) throws IOException {
    out = new DataOutputStream(fs.create(path, true));
    out.write(MAGIC);
    position = MAGIC.length;
  }

  /** Appends one batch. */
  public void add(MultiDataSet batch) throws IOException {
    buffer.reset();
    batch.save(buffer);
    offsets.add(position);
    out.writeInt(buffer.size());
    buffer.writeTo(out);
    position += Integer.BYTES + buffer.size();
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

  /** The offsets of the batches in the pack at {@code path}, from its footer. */
  public static long[] offsets(Configuration conf, Path path) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    long length = fs.getFileStatus(path).getLen();
    try (FSDataInputStream in = fs.open(path)) {
      byte[] head = new byte[MAGIC.length];
      byte[] magic = new byte[MAGIC.length];
      if (length < MAGIC.length + TAIL) {
        throw incomplete(path, "it is " + length + " bytes long");
      }
      in.readFully(0, head);
      in.seek(length - TAIL);
      int count = in.readInt();
      in.readFully(magic);
      if (!Arrays.equals(head, MAGIC) || !Arrays.equals(magic, MAGIC)) {
        throw incomplete(path, "its first or last bytes are not " + new String(MAGIC, StandardCharsets.US_ASCII));
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

  private static IOException incomplete(Path path, String why) {
    return new IOException("batch pack " + path + " is incomplete or not a batch pack (" + why
        + "); prepare the data again");
  }
}
