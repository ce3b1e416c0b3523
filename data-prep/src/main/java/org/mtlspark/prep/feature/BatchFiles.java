package org.mtlspark.prep.feature;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/** Reads stored batches back as they were built. */
public final class BatchFiles {
  private BatchFiles() {}

  /**
   * Reads one batch file. ND4J stores an absent feature mask as a placeholder array of shape [1];
   * it is turned back into "no mask", which is what the non-sequence inputs need (a CNN input
   * refuses a rank-1 mask).
   */
  public static MultiDataSet read(Configuration conf, String file) throws IOException {
    Path path = new Path(file);
    MultiDataSet mds = new MultiDataSet();
    try (InputStream in = path.getFileSystem(conf).open(path)) {
      mds.load(in);
    }
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

  public static List<org.nd4j.linalg.dataset.api.MultiDataSet> readAll(Configuration conf, List<String> files)
      throws IOException {
    List<org.nd4j.linalg.dataset.api.MultiDataSet> out = new ArrayList<>(files.size());
    for (String f : files) {
      out.add(read(conf, f));
    }
    return out;
  }
}
