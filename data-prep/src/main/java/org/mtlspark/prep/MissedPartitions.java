package org.mtlspark.prep;

import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntToLongFunction;
import org.apache.spark.api.java.JavaRDD;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.io.PartitionTallies;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceValues;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the partitions that went uncounted while they were cached (see {@link PartitionTallies}):
 * aligned records from their cached block, source rows by reading their files again. Rare: it
 * takes a task that cached its block and then failed.
 */
final class MissedPartitions {
  private static final Logger LOG = LoggerFactory.getLogger(MissedPartitions.class);

  private MissedPartitions() {}

  /** Counts the aligned records and the source rows of the partitions not counted yet. */
  static void count(
      JavaRDD<AlignedRecord> aligned,
      RecordCounter counter,
      PartitionTallies<RecordTally> records,
      SourceRows sources) {
    countRecords(aligned, counter, records);
    countRows(sources);
  }

  /** The partitions of {@code rdd} whose number under {@code tallies} ({@code number}) was not counted. */
  static Set<Integer> missed(
      JavaRDD<?> rdd, PartitionTallies<?> tallies, IntToLongFunction number) {
    Set<Long> counted = tallies.partitions();
    Set<Integer> missed = new HashSet<>();
    for (int p = 0; p < rdd.getNumPartitions(); p++) {
      if (!counted.contains(number.applyAsLong(p))) {
        missed.add(p);
      }
    }
    return missed;
  }

  private static void countRecords(
      JavaRDD<AlignedRecord> aligned,
      RecordCounter counter,
      PartitionTallies<RecordTally> records) {
    Set<Integer> missed = missed(aligned, records, p -> p);
    if (missed.isEmpty()) {
      return;
    }
    LOG.warn(
        "counting {} partition(s) of aligned records again: they were cached by a task that failed",
        missed.size());
    aligned
        .mapPartitionsWithIndex(
            (p, it) -> {
              if (missed.contains(p)) {
                RecordTally t = counter.zero();
                it.forEachRemaining(r -> counter.count(t, r));
                records.add(p, t);
              }
              return Collections.emptyIterator();
            },
            false)
        .foreachPartition(it -> {});
  }

  /** Reads again the uncounted partitions of the sources: their uncached rows tally as they pass. */
  static void countRows(SourceRows sources) {
    for (int s = 0; s < sources.sourceCount(); s++) {
      int source = s;
      JavaRDD<ParsedRow<SourceValues>> tallied = sources.tallied().get(s);
      Set<Integer> missed = missed(tallied, sources.tallies(), p -> RowTally.partition(source, p));
      if (missed.isEmpty()) {
        continue;
      }
      LOG.warn(
          "reading {} partition(s) of source {} again to count them: they were cached by a task that failed",
          missed.size(),
          source);
      tallied
          .mapPartitionsWithIndex(
              (p, it) -> {
                if (missed.contains(p)) {
                  it.forEachRemaining(r -> {});
                }
                return Collections.emptyIterator();
              },
              false)
          .foreachPartition(it -> {});
    }
  }
}
