package org.mtlspark.prep.feature;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes the featurized examples of one Spark partition as MultiDataSets of exactly {@code
 * batchSize} examples into one {@link BatchPack} (the last batch padded with fully masked
 * examples), and optionally the same examples as one Parquet file.
 */
public final class BatchWriter {
  private BatchWriter() {}

  /**
   * What writing produced: batches, real examples, padding rows, labelled examples per task, per
   * identifier column the examples whose id took the unknown index (not in the training
   * vocabulary, or missing), and the batches of each pack file by name.
   */
  public record Stats(
      long batches,
      long examples,
      long padding,
      long[] labelled,
      long[] unknownIds,
      Map<String, Long> files)
      implements Serializable {
    public static Stats empty(int tasks, int idColumns) {
      return new Stats(0, 0, 0, new long[tasks], new long[idColumns], new TreeMap<>());
    }

    public Stats plus(Stats o) {
      long[] l = labelled.clone();
      for (int i = 0; i < l.length; i++) {
        l[i] += o.labelled[i];
      }
      long[] u = unknownIds.clone();
      for (int i = 0; i < u.length; i++) {
        u[i] += o.unknownIds[i];
      }
      Map<String, Long> f = new TreeMap<>(files);
      f.putAll(o.files);
      return new Stats(batches + o.batches, examples + o.examples, padding + o.padding, l, u, f);
    }
  }

  /**
   * Writes {@code examples} to {@code pack}, and to {@code parquet} unless it is null. Writes
   * nothing, not even an empty file, when there are no examples.
   */
  public static Stats writePartition(
      Iterator<Example> examples,
      Featurizer featurizer,
      int batchSize,
      Configuration conf,
      Path pack,
      Path parquet)
      throws IOException {
    int tasks = featurizer.state().tasks().size();
    int idColumns = featurizer.state().idColumns().size();
    if (!examples.hasNext()) {
      return Stats.empty(tasks, idColumns);
    }
    FileSystem fs = pack.getFileSystem(conf);
    List<Example> batch = new ArrayList<>(batchSize);
    boolean[] perToken = BatchBuilder.perToken(featurizer.state().tasks());
    long count = 0;
    long padding = 0;
    long[] labelled = new long[tasks];
    long[] unknownIds = new long[idColumns];
    ExampleWriter rows =
        parquet == null ? null : new ExampleWriter(conf, parquet, featurizer.state());
    try (BatchPack out = new BatchPack(fs, pack)) {
      while (examples.hasNext()) {
        Example e = examples.next();
        if (rows != null) {
          rows.write(e);
        }
        batch.add(e);
        count++;
        for (int t = 0; t < tasks; t++) {
          labelled[t] += e.labelMask()[t] > 0 ? 1 : 0;
        }
        for (int c = 0; c < e.ids().length; c++) {
          unknownIds[c] += e.ids()[c] == FeaturizerState.UNKNOWN_ID ? 1 : 0;
        }
        if (batch.size() == batchSize) {
          out.add(BatchBuilder.arrays(batch, perToken));
          batch.clear();
        }
      }
      if (!batch.isEmpty()) {
        while (batch.size() < batchSize) {
          batch.add(featurizer.padding());
          padding++;
        }
        out.add(BatchBuilder.arrays(batch, perToken));
      }
      Map<String, Long> files = new TreeMap<>();
      files.put(pack.getName(), (long) out.size());
      return new Stats(out.size(), count, padding, labelled, unknownIds, files);
    } finally {
      if (rows != null) {
        rows.close();
      }
    }
  }
}
