package org.mtlspark.prep;

import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.io.Iterators;
import org.mtlspark.prep.io.PartitionTallies;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.SplitOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of prep, shared with scoring: read and validate every source as the alignment
 * shuffle reads it (rejects written to {@code <staging>/rejects/} with their reason, and counted:
 * {@link SourceRows}), align the rows by key, and account for every row ({@link AlignmentCounts});
 * once the records are aligned, stop when more than {@code prep.maxRejectFraction} of the rows were
 * rejected. The aligned records are sorted within their partitions by {@link #order()} (by split,
 * then in the order they are to be written, unless scoring) and stay cached until {@link
 * #unpersist()}.
 *
 * @param fitTally the featurizers' statistics over the training examples, counted while aligning;
 *     null unless the mode is {@link Mode#FIT}
 */
public record AlignedSources(
    RecordLayout layout,
    JavaRDD<AlignedRecord> aligned,
    SplitOrder order,
    Mode mode,
    Manifest.Counts counts,
    FeaturizerFitter.Tally fitTally) {
  private static final Logger LOG = LoggerFactory.getLogger(AlignedSources.class);

  /** What the aligned records are read for. */
  public enum Mode {
    /** Prep that fits the featurizers: their statistics over the training examples are counted while aligning. */
    FIT,
    /** Prep with featurizers given (those of an earlier data set): nothing is fit. */
    APPLY,
    /**
     * Scoring: labels are optional, a source holding only labels may be absent, the records are not
     * split, and those without labels become examples too.
     */
    SCORE;

    boolean scoring() {
      return this == SCORE;
    }

    boolean fits() {
      return this == FIT;
    }

    /** Whether a record becomes an example: a usable one; when scoring, also one without labels. */
    boolean isExample(AlignedRecord r) {
      return r.status() == AlignedRecord.Status.USABLE
          || (scoring() && r.status() == AlignedRecord.Status.NO_LABELS);
    }
  }

  /** Records by status ({@code usable}, {@code no_labels}, ...). */
  public Map<String, Long> status() {
    return counts.recordStatus();
  }

  /**
   * The records that become examples: usable ones; when scoring, also those without labels. The
   * presence rates in {@link #counts()} are over these.
   */
  public JavaRDD<AlignedRecord> examples() {
    Mode m = mode;
    return aligned.filter(m::isExample);
  }

  public void unpersist() {
    aligned.unpersist(true);
  }

  /** Reads the sources under {@code dataRoot} and aligns them, for {@code mode}. */
  public static AlignedSources read(
      SparkSession spark, MtlConfig config, String dataRoot, Path staging, Mode mode)
      throws IOException {
    return read(spark, config, dataRoot, staging, mode, it -> {});
  }

  /**
   * As {@link #read(SparkSession, MtlConfig, String, Path, Mode)}; {@code filled} runs over every
   * partition of the aligned records in the action that caches them, after its block is cached.
   */
  static AlignedSources read(
      SparkSession spark,
      MtlConfig config,
      String dataRoot,
      Path staging,
      Mode mode,
      VoidFunction<Iterator<AlignedRecord>> filled)
      throws IOException {
    long started = System.nanoTime();
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    RecordLayout layout = new RecordLayout(config);
    // 1-2. Sources and their rows, every row tallied and every reject written aside on the way.
    SourceRows rows = SourceRows.read(spark, conf, config, dataRoot, staging, mode.scoring());

    // 3. Align by key and classify records, in one pass that also caches them and counts them (see
    // RecordCounter).
    SplitOrder order =
        mode.scoring()
            ? SplitOrder.unsplit()
            : new SplitOrder(
                KeySplit.of(config.prep().split(), config.data().key()), config.run().seed());
    RecordCounter counter =
        new RecordCounter(layout, order, config.tasks(), rows.sourceCount(), mode);
    PartitionTallies<RecordTally> recordTallies =
        new PartitionTallies<>(counter::zero, RecordTally::plus);
    spark.sparkContext().register(recordTallies);
    int partitions = config.prep().partitionsFor(rows.bytes());
    LOG.info(
        "reading and aligning into {} partitions ({} MB of source files; prep.partitions: {})",
        partitions,
        rows.bytes() >> 20,
        config.prep().partitions());
    JavaRDD<AlignedRecord> aligned = null;
    try {
      aligned =
          SourceAligner.align(spark, config.data(), rows.rows(), layout, order, partitions)
              .mapPartitionsWithIndex(
                  (p, it) ->
                      Iterators.counted(
                          it, counter.zero(), counter::count, t -> recordTallies.add(p, t)),
                  true)
              .persist(StorageLevel.MEMORY_AND_DISK_SER());
      // Computes and caches every partition, at a level that may use disk, without reading the
      // cache
      // back: the action takes the partitions' iterators and leaves them (a level without disk
      // would
      // hand over a partly read iterator for a block that does not fit). The counting iterator
      // above tallies the partitions as they are cached.
      aligned.foreachPartition(filled);
      MissedPartitions.count(aligned, counter, recordTallies, rows);
      RecordTally records = recordTallies.value();
      Manifest.Counts counts =
          AlignmentCounts.of(
              config,
              layout,
              rows,
              records,
              spark.sparkContext().hadoopConfiguration(),
              new Path(staging, "rejects"),
              started);
      return new AlignedSources(layout, aligned, order, mode, counts, records.fit());
    } catch (RuntimeException e) {
      if (aligned != null) {
        aligned.unpersist(false);
      }
      rows.unpersist();
      throw e;
    }
  }

  static String elapsed(long started) {
    return String.format("%.1fs", (System.nanoTime() - started) / 1e9);
  }
}
