package org.mtlspark.workers.train;

import java.io.IOException;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Lets dl4j-spark's {@code fitPaths} load batches by reference (a batch of a pack, or a single-batch
 * file): dl4j-spark hands the reference over as the source's path. Applies modality dropout, drawn
 * by epoch and reference.
 */
public record BatchLoader(SerializableConf hadoop, ModalityDropout dropout, int epoch)
    implements MultiDataSetLoader {
  public BatchLoader(SerializableConf hadoop) {
    this(hadoop, ModalityDropout.none(null), 0);
  }

  @Override
  public MultiDataSet load(Source source) throws IOException {
    String ref = source.getPath();
    return dropout.apply(BatchFiles.read(hadoop.get(), ref), epoch, ref.hashCode());
  }
}
