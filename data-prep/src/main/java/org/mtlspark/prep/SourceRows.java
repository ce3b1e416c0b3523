package org.mtlspark.prep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.PartitionTallies;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceReader;
import org.mtlspark.prep.source.SourceValues;

/**
 * The accepted rows of every source, read as the alignment shuffle reads them: every row tallied
 * into {@link #tallies()} and every reject written to {@code <staging>/rejects/} on the way (see
 * {@link AcceptedRows}). Sources not aligned exactly by the whole key (enrichment and nearest-in-time
 * ones) are read twice (aligned, and their keys counted) and so are cached; the others are read once.
 *
 * @param files the files read, per source
 * @param rows the rows to align, per source (cached where read twice)
 * @param tallied the rows per source, never cached: computing a partition again tallies it
 * @param tallies the tallies of the rows, by source and partition ({@link RowTally#partition})
 * @param bytes the size of the files read
 */
record SourceRows(
    List<List<String>> files,
    List<JavaRDD<ParsedRow<SourceValues>>> rows,
    List<JavaRDD<ParsedRow<SourceValues>>> tallied,
    PartitionTallies<RowTally> tallies,
    long bytes) {

  /**
   * Lists the files and reads each source (CSV headers are checked on the driver first); with
   * {@code scoring}, a source holding only labels may be absent.
   */
  static SourceRows read(
      SparkSession spark,
      SerializableConf conf,
      MtlConfig config,
      String dataRoot,
      Path staging,
      boolean scoring)
      throws IOException {
    DataConfig data = config.data();
    List<SourceConfig> sourceConfigs = data.sources();
    SourceReader.Sources read = SourceReader.readAll(spark, conf, config, dataRoot, scoring);
    int sourceCount = sourceConfigs.size();
    Path rejectsDir = new Path(staging, "rejects");
    rejectsDir.getFileSystem(conf.get()).mkdirs(rejectsDir);
    String rejectsPath = rejectsDir.toString();
    PartitionTallies<RowTally> tallies =
        new PartitionTallies<>(() -> new RowTally(sourceCount), RowTally::plus);
    spark.sparkContext().register(tallies);
    List<JavaRDD<ParsedRow<SourceValues>>> tallied = new ArrayList<>();
    List<JavaRDD<ParsedRow<SourceValues>>> rows = new ArrayList<>();
    for (int s = 0; s < sourceCount; s++) {
      JavaRDD<ParsedRow<SourceValues>> parsed = read.rows().get(s);
      // Kept apart from the cached one, so that counting a partition again reads its files.
      tallied.add(AcceptedRows.of(parsed, s, sourceCount, conf, rejectsPath, tallies));
      rows.add(
          data.isRecordSource(sourceConfigs.get(s))
              ? tallied.get(s)
              : AcceptedRows.of(parsed, s, sourceCount, conf, rejectsPath, tallies)
                  .persist(StorageLevel.MEMORY_AND_DISK_SER()));
    }
    return new SourceRows(read.files(), rows, tallied, tallies, read.bytes());
  }

  int sourceCount() {
    return rows.size();
  }

  /** Drops the cached sources. */
  void unpersist() {
    rows.forEach(r -> r.unpersist(false));
  }
}
