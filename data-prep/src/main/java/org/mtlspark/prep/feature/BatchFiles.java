package org.mtlspark.prep.feature;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * Reads stored batches back as they were built. A batch reference is either {@code
 * <pack>#<offset>}, one batch of a {@link BatchPack}, or the path of a file holding a single
 * MultiDataSet saved by ND4J.
 */
public final class BatchFiles {
  private BatchFiles() {}

  /** The references of every batch in the pack at {@code file}, in stored order. */
  public static List<String> references(Configuration conf, String file) throws IOException {
    long[] offsets = BatchPack.offsets(conf, new Path(file));
    List<String> refs = new ArrayList<>(offsets.length);
    for (long o : offsets) {
      refs.add(file + "#" + o);
    }
    return refs;
  }

  /** Reads one batch. */
  public static MultiDataSet read(Configuration conf, String ref) throws IOException {
    int hash = packOffsetStart(ref);
    if (hash < 0) {
      Path path = new Path(ref);
      try (InputStream in = path.getFileSystem(conf).open(path)) {
        return load(in);
      }
    }
    Path path = new Path(ref.substring(0, hash));
    try (FSDataInputStream in = path.getFileSystem(conf).open(path)) {
      return readAt(in, path, BatchPack.firstVersion(in, path), Long.parseLong(ref.substring(hash + 1)));
    }
  }

  /** Reads batches in the given order, opening each pack once. */
  public static List<MultiDataSet> readAll(Configuration conf, List<String> refs) throws IOException {
    List<MultiDataSet> out = new ArrayList<>(refs.size());
    Map<String, FSDataInputStream> open = new HashMap<>();
    Map<String, Boolean> firstVersion = new HashMap<>();
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
          in = path.getFileSystem(conf).open(path);
          open.put(file, in);
          firstVersion.put(file, BatchPack.firstVersion(in, path));
        }
        out.add(readAt(in, path, firstVersion.get(file), Long.parseLong(ref.substring(hash + 1))));
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

  private static MultiDataSet readAt(FSDataInputStream in, Path path, boolean firstVersion, long offset)
      throws IOException {
    in.seek(offset);
    int length = in.readInt();
    if (length <= 0) {
      throw new IOException("batch pack " + path + " has no batch at offset " + offset);
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    if (firstVersion) {
      return load(new ByteArrayInputStream(bytes));
    }
    return BatchBuilder.toMultiDataSet(BatchPack.decode(bytes));
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
