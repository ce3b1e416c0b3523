package org.mtlspark.prep.align;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.Optional;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.prep.source.Timestamps;
import org.mtlspark.prep.split.SplitOrder;
import scala.Tuple2;

/**
 * Aligns the accepted rows of every source into records. Sources keyed by the whole record key
 * are joined exactly (a full outer join: a record exists when any of them has its key); sources
 * keyed by a part of it then enrich each record many-to-one (a left join on that part). Among rows
 * of one source with the same key, the duplicate policy picks one ({@code first} in (file, line)
 * order, or {@code latest} by the timestamp column); {@code fail} is checked before alignment. A
 * source aligned {@code nearest} gives each record its row closest in time to the record's time
 * (the timestamp of the first exactly aligned source keyed by the whole key), within a tolerance.
 *
 * <p>The records come out sorted within their partitions as they are to be written (see {@link
 * SplitOrder}). Without enrichment, alignment and that order take a single shuffle.
 */
public final class SourceAligner {
  private SourceAligner() {}

  public static JavaRDD<AlignedRecord> align(
      SparkSession spark,
      DataConfig data,
      List<JavaRDD<ParsedRow<SourceValues>>> rows,
      RecordLayout layout,
      SplitOrder order,
      int partitions) {
    List<SourceConfig> sources = data.sources();
    List<String> recordKey = data.key();
    int n = sources.size();
    List<SourceConfig.Duplicates> policies =
        sources.stream().map(SourceConfig::duplicates).toList();
    JavaRDD<Tagged> full = null;
    List<Integer> enrichment = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      if (!data.isRecordSource(sources.get(s))) {
        enrichment.add(s);
        continue;
      }
      int tag = s;
      JavaRDD<Tagged> tagged = rows.get(s).filter(ParsedRow::isOk).map(r -> new Tagged(tag, r));
      full = full == null ? tagged : full.union(tagged);
    }
    JavaPairRDD<String, Picks> records;
    if (enrichment.isEmpty()) {
      // One shuffle does it all: rows go to their record's partition, sorted in write order, where
      // the rows of one key arrive together and are merged as they stream by.
      records =
          KeyedSort.group(spark, full, t -> t.row().key(), order::position, partitions)
              .mapToPair(
                  rowsOfKey -> {
                    Picks picks = new Picks(n);
                    rowsOfKey.forEach(t -> pickInto(picks, t, policies));
                    return new Tuple2<>(rowsOfKey.get(0).row().key(), picks);
                  });
    } else {
      // Keys rarely repeat within a source, so combining before the shuffle would only cost a hash
      // map insertion per row: rows are shuffled as they are and combined after.
      records =
          full.mapToPair(t -> new Tuple2<>(t.row().key(), t))
              .combineByKey(
                  t -> pickInto(new Picks(n), t, policies),
                  (acc, t) -> pickInto(acc, t, policies),
                  (a, b) -> merge(a, b, policies),
                  new HashPartitioner(partitions),
                  false,
                  null);
    }

    SourceConfig timed = data.recordTimeSource();
    int timeSource = timed == null ? -1 : sources.indexOf(timed);
    for (int s : enrichment) {
      SourceConfig src = sources.get(s);
      List<String> part = src.keyColumns(recordKey);
      SourceConfig.Duplicates policy = policies.get(s);
      int slot = s;
      if (src.align() == SourceConfig.Align.NEAREST) {
        double tolerance = src.tolerance();
        boolean future = src.allowFuture();
        JavaPairRDD<String, Iterable<ParsedRow<SourceValues>>> series =
            rows.get(s)
                .filter(ParsedRow::isOk)
                .filter(r -> r.value().timestamp() != null)
                .mapToPair(r -> new Tuple2<>(r.key(), r))
                .groupByKey(partitions);
        records =
            records
                .mapToPair(e -> new Tuple2<>(Keys.project(e._1(), recordKey, part), e))
                .leftOuterJoin(series, partitions)
                .mapToPair(
                    e -> {
                      Tuple2<String, Picks> rec = e._2()._1();
                      if (e._2()._2().isPresent()
                          && timeSource >= 0
                          && rec._2().rows[timeSource] != null) {
                        double t = Timestamps.value(rec._2().rows[timeSource].value().timestamp());
                        rec._2().rows[slot] =
                            nearest(e._2()._2().get(), t, tolerance, future, policy);
                      }
                      return rec;
                    });
        continue;
      }
      JavaPairRDD<String, ParsedRow<SourceValues>> table =
          rows.get(s)
              .filter(ParsedRow::isOk)
              .mapToPair(r -> new Tuple2<>(r.key(), r))
              .reduceByKey((a, b) -> better(a, b, policy) ? a : b, partitions);
      records =
          records
              .mapToPair(e -> new Tuple2<>(Keys.project(e._1(), recordKey, part), e))
              .leftOuterJoin(table, partitions)
              .mapToPair(
                  e -> {
                    Tuple2<String, Picks> rec = e._2()._1();
                    Optional<ParsedRow<SourceValues>> row = e._2()._2();
                    if (row.isPresent()) {
                      rec._2().rows[slot] = row.get();
                    }
                    return rec;
                  });
    }

    if (!enrichment.isEmpty()) {
      records =
          KeyedSort.group(spark, records.rdd().toJavaRDD(), Tuple2::_1, order::position, partitions)
              .mapToPair(recordOfKey -> recordOfKey.get(0));
    }

    List<SourceConfig.Missing> missing = sources.stream().map(SourceConfig::missing).toList();
    List<String> names = sources.stream().map(SourceConfig::name).toList();
    return records.map(
        e -> {
          SourceValues[] values = new SourceValues[n];
          String droppedBy = null;
          for (int s = 0; s < n; s++) {
            values[s] = e._2().rows[s] == null ? null : e._2().rows[s].value();
            if (values[s] == null
                && missing.get(s) == SourceConfig.Missing.DROP
                && droppedBy == null) {
              droppedBy = names.get(s);
            }
          }
          AlignedRecord probe =
              new AlignedRecord(e._1(), values, AlignedRecord.Status.USABLE, null, e._2().counts);
          AlignedRecord.Status status =
              droppedBy != null
                  ? AlignedRecord.Status.MISSING_REQUIRED_SOURCE
                  : !layout.anyLabel(probe)
                      ? AlignedRecord.Status.NO_LABELS
                      : !layout.anyFeatures(probe)
                          ? AlignedRecord.Status.NO_MODALITY
                          : AlignedRecord.Status.USABLE;
          return new AlignedRecord(e._1(), values, status, droppedBy, e._2().counts);
        });
  }

  /**
   * The row closest in time to {@code t}: at most {@code tolerance} away and, unless {@code
   * future}, not after {@code t}; among rows at the same distance, the earlier one, then the one the
   * duplicate policy keeps. Null when none qualifies or the record has no time.
   */
  static ParsedRow<SourceValues> nearest(
      Iterable<ParsedRow<SourceValues>> rows,
      double t,
      double tolerance,
      boolean future,
      SourceConfig.Duplicates policy) {
    if (Double.isNaN(t)) {
      return null;
    }
    ParsedRow<SourceValues> best = null;
    double bestDistance = Double.POSITIVE_INFINITY;
    double bestTime = Double.NaN;
    for (ParsedRow<SourceValues> r : rows) {
      double time = Timestamps.value(r.value().timestamp());
      double distance = Math.abs(time - t);
      if (distance > tolerance || (!future && time > t)) {
        continue;
      }
      boolean closer = distance < bestDistance || (distance == bestDistance && time < bestTime);
      boolean tie = distance == bestDistance && time == bestTime;
      if (best == null || closer || (tie && better(r, best, policy))) {
        best = r;
        bestDistance = distance;
        bestTime = time;
      }
    }
    return best;
  }

  /** A row with the index of its source. */
  public record Tagged(int source, ParsedRow<SourceValues> row) implements Serializable {}

  /** Per source, the row kept so far for one key and how many rows had the key. */
  public static final class Picks implements Serializable {
    private static final long serialVersionUID = 1L;
    ParsedRow<SourceValues>[] rows;
    int[] counts;

    @SuppressWarnings("unchecked")
    Picks(int n) {
      rows = (ParsedRow<SourceValues>[]) new ParsedRow<?>[n];
      counts = new int[2 * n];
    }

    /**
     * Marks source {@code s} as having rows of this key whose values differ, when {@code a} and
     * {@code b} do and the policy keeps the first row (with {@code latest}, newer values are the point).
     */
    void noteDiffering(
        int s,
        ParsedRow<SourceValues> a,
        ParsedRow<SourceValues> b,
        SourceConfig.Duplicates policy) {
      if (policy == SourceConfig.Duplicates.FIRST
          && a != null
          && b != null
          && !a.value().sameValues(b.value())) {
        counts[rows.length + s] = 1;
      }
    }

    /** For Kryo. */
    Picks() {}
  }

  private static Picks pickInto(Picks acc, Tagged t, List<SourceConfig.Duplicates> policies) {
    int s = t.source();
    acc.counts[s]++;
    acc.noteDiffering(s, acc.rows[s], t.row(), policies.get(s));
    if (acc.rows[s] == null || better(t.row(), acc.rows[s], policies.get(s))) {
      acc.rows[s] = t.row();
    }
    return acc;
  }

  private static Picks merge(Picks a, Picks b, List<SourceConfig.Duplicates> policies) {
    for (int s = 0; s < a.rows.length; s++) {
      a.counts[s] += b.counts[s];
      a.counts[a.rows.length + s] |= b.counts[a.rows.length + s];
      a.noteDiffering(s, a.rows[s], b.rows[s], policies.get(s));
      if (b.rows[s] != null
          && (a.rows[s] == null || better(b.rows[s], a.rows[s], policies.get(s)))) {
        a.rows[s] = b.rows[s];
      }
    }
    return a;
  }

  /** Whether {@code a} is kept over {@code b} under the duplicate policy. */
  static boolean better(
      ParsedRow<SourceValues> a, ParsedRow<SourceValues> b, SourceConfig.Duplicates policy) {
    if (policy == SourceConfig.Duplicates.LATEST) {
      int c = compareTimestamps(a.value().timestamp(), b.value().timestamp());
      if (c != 0) {
        return c > 0;
      }
    }
    return a.before(b);
  }

  /** Orders timestamps on the time axis of {@link Timestamps}; a missing one first. */
  static int compareTimestamps(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    return Double.compare(Timestamps.value(a), Timestamps.value(b));
  }
}
