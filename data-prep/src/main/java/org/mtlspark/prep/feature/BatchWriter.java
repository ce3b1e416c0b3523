package org.mtlspark.prep.feature;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Writes featurized examples as MultiDataSet files of exactly {@code batchSize} examples, one file
 * per batch; the last batch of each partition is padded with fully masked examples.
 */
public final class BatchWriter {
  /** The file extension of a stored batch. */
  public static final String EXTENSION = ".mds";

  private BatchWriter() {}

  /** What one write produced: batches, real examples, padding rows, labelled examples per task. */
  public record Stats(long batches, long examples, long padding, long[] labelled) implements Serializable {
    Stats plus(Stats o) {
      long[] l = labelled.clone();
      for (int i = 0; i < l.length; i++) {
        l[i] += o.labelled[i];
      }
      return new Stats(batches + o.batches, examples + o.examples, padding + o.padding, l);
    }
  }

  public static Stats write(JavaRDD<Example> examples, Featurizer featurizer, int batchSize, SerializableConf conf,
      String dir) {
    int tasks = featurizer.state().tasks().size();
    return examples.mapPartitionsWithIndex((partition, it) -> {
      List<Stats> out = new ArrayList<>();
      out.add(writePartition(partition, it, featurizer, batchSize, conf, dir, tasks));
      return out.iterator();
    }, true).fold(new Stats(0, 0, 0, new long[tasks]), Stats::plus);
  }

  private static Stats writePartition(int partition, Iterator<Example> it, Featurizer featurizer, int batchSize,
      SerializableConf conf, String dir, int tasks) throws IOException {
    FileSystem fs = new Path(dir).getFileSystem(conf.get());
    List<Example> batch = new ArrayList<>(batchSize);
    long batches = 0;
    long examples = 0;
    long padding = 0;
    long[] labelled = new long[tasks];
    while (it.hasNext()) {
      Example e = it.next();
      batch.add(e);
      examples++;
      for (int t = 0; t < tasks; t++) {
        labelled[t] += e.labelMask()[t] > 0 ? 1 : 0;
      }
      if (batch.size() == batchSize) {
        save(fs, dir, partition, batches++, batch);
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      while (batch.size() < batchSize) {
        batch.add(featurizer.padding());
        padding++;
      }
      save(fs, dir, partition, batches++, batch);
    }
    return new Stats(batches, examples, padding, labelled);
  }

  private static void save(FileSystem fs, String dir, int partition, long index, List<Example> batch)
      throws IOException {
    Path path = new Path(dir, String.format("part-%05d-%06d%s", partition, index, EXTENSION));
    try (OutputStream out = fs.create(path, false)) {
      BatchBuilder.build(batch).save(out);
    }
  }
}
