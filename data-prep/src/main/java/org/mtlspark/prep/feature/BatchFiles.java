package org.mtlspark.prep.feature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mtlspark.prep.io.NdArrayLayout;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Reads stored batches back as they were built. A batch reference is either {@code
 * <pack>#<offset>}, one batch of a {@link BatchPack}, or the path of a file holding a single
 * MultiDataSet saved by ND4J.
 */
public final class BatchFiles {
  private BatchFiles() {}

  /**
   * The references of every batch in the pack at {@code file}, in stored order. They name the pack
   * by its qualified path (scheme and absolute path), so that an executor whose working folder is
   * not the driver's reads the same file.
   */
  public static List<String> references(Configuration conf, String file) throws IOException {
    Path path = new Path(file);
    String qualified = path.getFileSystem(conf).makeQualified(path).toString();
    long[] offsets = BatchPack.offsets(conf, path);
    List<String> refs = new ArrayList<>(offsets.length);
    for (long o : offsets) {
      refs.add(qualified + "#" + o);
    }
    return refs;
  }

  /** Reads one batch. */
  public static MultiDataSet read(Configuration conf, String ref) throws IOException {
    int hash = packOffsetStart(ref);
    if (hash < 0) {
      return readSingle(conf, new Path(ref));
    }
    Path path = new Path(ref.substring(0, hash));
    FileSystem fs = path.getFileSystem(conf);
    long length = fs.getFileStatus(path).getLen();
    try (FSDataInputStream in = fs.open(path)) {
      boolean firstVersion = BatchPack.firstVersion(in, path);
      long dataEnd = BatchPack.dataEnd(in, path, length);
      return readAt(in, path, dataEnd, firstVersion, Long.parseLong(ref.substring(hash + 1)));
    }
  }

  /** Reads batches in the given order, opening each pack once. */
  public static List<MultiDataSet> readAll(Configuration conf, List<String> refs)
      throws IOException {
    List<MultiDataSet> out = new ArrayList<>(refs.size());
    Map<String, FSDataInputStream> open = new HashMap<>();
    Map<String, Boolean> firstVersion = new HashMap<>();
    Map<String, Long> dataEnd = new HashMap<>();
    try {
      for (String ref : refs) {
        int hash = packOffsetStart(ref);
        if (hash < 0) {
          out.add(read(conf, ref));
          continue;
        }
        String file = ref.substring(0, hash);
        Path path = new Path(file);
        FSDataInputStream in = open.get(file);
        if (in == null) {
          FileSystem fs = path.getFileSystem(conf);
          long length = fs.getFileStatus(path).getLen();
          in = fs.open(path);
          open.put(file, in);
          firstVersion.put(file, BatchPack.firstVersion(in, path));
          dataEnd.put(file, BatchPack.dataEnd(in, path, length));
        }
        out.add(
            readAt(
                in,
                path,
                dataEnd.get(file),
                firstVersion.get(file),
                Long.parseLong(ref.substring(hash + 1))));
      }
    } finally {
      for (FSDataInputStream in : open.values()) {
        in.close();
      }
    }
    return out;
  }

  /** Where the {@code #offset} suffix of a pack reference starts, or -1 for a single-batch file. */
  private static int packOffsetStart(String ref) {
    int hash = ref.lastIndexOf('#');
    if (hash < 0 || hash == ref.length() - 1) {
      return -1;
    }
    for (int i = hash + 1; i < ref.length(); i++) {
      if (!Character.isDigit(ref.charAt(i))) {
        return -1;
      }
    }
    return hash;
  }

  /**
   * The batch at {@code offset} of the pack at {@code path}, whose batches end at {@code dataEnd}:
   * its declared length must fit between the offset and the footer.
   */
  private static MultiDataSet readAt(
      FSDataInputStream in, Path path, long dataEnd, boolean firstVersion, long offset)
      throws IOException {
    if (offset < BatchPack.MAGIC.length || offset > dataEnd - Integer.BYTES) {
      throw new IOException(
          "batch pack "
              + path
              + " has no batch at offset "
              + offset
              + " (its batches lie in bytes "
              + BatchPack.MAGIC.length
              + " to "
              + dataEnd
              + ")");
    }
    in.seek(offset);
    int declared = in.readInt();
    long left = dataEnd - offset - Integer.BYTES;
    if (declared <= 0 || declared > left) {
      throw new IOException(
          "batch pack "
              + path
              + " is corrupt at byte "
              + offset
              + ": it declares a batch of "
              + declared
              + " bytes where "
              + left
              + " bytes are left before its footer; prepare the data again");
    }
    byte[] bytes = new byte[declared];
    in.readFully(bytes);
    long start = offset + Integer.BYTES;
    if (firstVersion) {
      return load(bytes, "batch pack " + path, start);
    }
    return BatchBuilder.toMultiDataSet(BatchPack.decode(bytes, path, start));
  }

  /** A file holding one MultiDataSet saved by ND4J. */
  private static MultiDataSet readSingle(Configuration conf, Path path) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    long length = fs.getFileStatus(path).getLen();
    if (length > Integer.MAX_VALUE - 16) {
      throw new IOException(
          "batch file " + path + " is " + length + " bytes, more than one batch can be");
    }
    byte[] bytes;
    try (InputStream in = fs.open(path)) {
      bytes = in.readNBytes((int) length);
    }
    return load(bytes, "batch file " + path, 0);
  }

  /**
   * A MultiDataSet as ND4J saves it, found at byte {@code start} of {@code source}, checked before
   * ND4J reads it: four array counts, then the arrays. ND4J may follow them with example metadata,
   * which it reads through Java deserialization; mtlspark never writes metadata, so a batch with
   * anything after its arrays is refused, as is one whose arrays declare more than its bytes hold.
   */
  static MultiDataSet load(byte[] bytes, String source, long start) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    long arrays = 0;
    for (int i = 0; i < 4; i++) {
      if (in.remaining() < Integer.BYTES) {
        throw new IOException(
            source
                + " is corrupt at byte "
                + (start + in.position())
                + ": it ends before its "
                + "array counts; prepare the data again");
      }
      int n = in.getInt();
      if (n < 0) {
        throw new IOException(
            source
                + " is corrupt at byte "
                + (start + in.position() - Integer.BYTES)
                + ": it declares "
                + n
                + " arrays; prepare the data again");
      }
      arrays += n;
    }
    for (long i = 0; i < arrays; i++) {
      try {
        NdArrayLayout.skip(in, start);
      } catch (NdArrayLayout.MalformedException e) {
        throw new IOException(
            source
                + " is corrupt: array "
                + i
                + " of the "
                + arrays
                + " it declares is not as ND4J "
                + "writes one ("
                + e.getMessage()
                + "); prepare the data again");
      }
    }
    if (in.hasRemaining()) {
      throw new IOException(
          source
              + " is not a batch mtlspark reads: "
              + in.remaining()
              + " bytes follow its arrays "
              + "(at byte "
              + (start + in.position())
              + "), where ND4J keeps example metadata that it reads through Java "
              + "deserialization; mtlspark never writes any, so the batch is refused");
    }
    return load(new ByteArrayInputStream(bytes));
  }

  /**
   * ND4J stores an absent feature mask as a placeholder array of shape [1]; it is turned back into
   * "no mask", which is what the non-sequence inputs need (a CNN input refuses a rank-1 mask).
   */
  private static MultiDataSet load(InputStream in) throws IOException {
    MultiDataSet mds = new MultiDataSet();
    mds.load(in);
    INDArray[] masks = mds.getFeaturesMaskArrays();
    if (masks != null) {
      long rows = mds.getFeatures(0).size(0);
      for (int i = 0; i < masks.length; i++) {
        if (masks[i] != null && masks[i].rank() == 1 && masks[i].length() == 1 && rows != 1) {
          masks[i] = null;
        }
      }
      mds.setFeaturesMaskArrays(masks);
    }
    return mds;
  }
}
