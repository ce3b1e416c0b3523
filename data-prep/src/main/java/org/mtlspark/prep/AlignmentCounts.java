package org.mtlspark.prep;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.source.SourceValues;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * The account of every row and record that goes into the manifest ({@link Manifest.Counts}), from
 * the tallies counted while the records were aligned; it stops prep when more than {@code
 * prep.maxRejectFraction} of the rows were rejected, or when a source that must not repeat keys
 * does.
 */
final class AlignmentCounts {
  private static final Logger LOG = LoggerFactory.getLogger(AlignmentCounts.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private AlignmentCounts() {}

  /**
   * The counts of the sources and of the aligned records. Once the rows are accounted for, the
   * cached sources are dropped.
   *
   * @param rejectsDir where the rejects were written, to quote the first when too many were
   */
  static Manifest.Counts of(
      MtlConfig config,
      RecordLayout layout,
      SourceRows rows,
      RecordTally records,
      Configuration conf,
      Path rejectsDir,
      long started) {
    DataConfig data = config.data();
    List<SourceConfig> sourceConfigs = data.sources();
    RowTally tally = rows.tallies().value();
    Map<String, Manifest.SourceCount> sources = new LinkedHashMap<>();
    for (int s = 0; s < sourceConfigs.size(); s++) {
      SourceConfig src = sourceConfigs.get(s);
      // Duplicates of sources keyed by the whole key were counted while aligning.
      long ok = tally.accepted(s);
      long bad = tally.rejected(s);
      long distinct =
          data.isRecordSource(src)
              ? ok
              : distinctKeys(rows.rows().get(s), src.align() == SourceConfig.Align.NEAREST);
      sources.put(
          src.name(),
          new Manifest.SourceCount(rows.files().get(s).size(), ok + bad, ok, bad, ok - distinct));
    }
    long rowCount = sources.values().stream().mapToLong(Manifest.SourceCount::rows).sum();
    long rejected = sources.values().stream().mapToLong(Manifest.SourceCount::rejected).sum();
    LOG.info(
        "read {} source rows from {} files: {} rejected ({})",
        rowCount,
        rows.files().stream().mapToInt(List::size).sum(),
        rejected,
        AlignedSources.elapsed(started));
    Map<String, Long> rejectsByReason = new TreeMap<>(tally.byReason());
    double rejectFraction = rowCount == 0 ? 0 : (double) rejected / rowCount;
    if (rejectFraction > config.prep().maxRejectFraction()) {
      // The staging folder, rejects included, is deleted when the run fails: the message carries
      // the counts by reason and the first reject in full.
      throw new PrepException(
          String.format(
              "%d of %d source rows (%.2f%%) were rejected, more than prep.maxRejectFraction = %s; by reason: %s; "
                  + "the first: %s",
              rejected,
              rowCount,
              100 * rejectFraction,
              config.prep().maxRejectFraction(),
              rejectsByReason,
              firstReject(conf, rejectsDir)));
    }

    for (int s = 0; s < sourceConfigs.size(); s++) {
      SourceConfig src = sourceConfigs.get(s);
      if (data.isRecordSource(src)) {
        Manifest.SourceCount c = sources.get(src.name());
        sources.put(
            src.name(),
            new Manifest.SourceCount(
                c.files(),
                c.rows(),
                c.accepted(),
                c.rejected(),
                records.duplicates(s),
                records.differingKeys(s)));
        if (records.differingKeys(s) > 0) {
          LOG.warn(
              "source {}: {} key(s) repeat with different values; duplicates: first kept the first row of each",
              src.name(),
              records.differingKeys(s));
        }
      }
    }
    checkDuplicates(sourceConfigs, rows.rows(), sources);
    // The aligned records are cached and counted: the cached sources are no longer needed.
    rows.unpersist();
    Map<String, Long> status = new TreeMap<>();
    for (AlignedRecord.Status st : AlignedRecord.Status.values()) {
      if (records.records(st) > 0) {
        status.put(st.name().toLowerCase(), records.records(st));
      }
    }
    long recordCount = status.values().stream().mapToLong(Long::longValue).sum();
    long duplicateRows =
        sources.values().stream().mapToLong(Manifest.SourceCount::duplicates).sum();
    List<String> modalities = ModelInputs.modalities(layout);
    Map<String, Long> presence = new LinkedHashMap<>();
    for (String modality : ModelInputs.MODALITIES) {
      if (modalities.contains(modality)) {
        presence.put(modality, records.present(modality));
      }
    }
    LOG.info(
        "aligned {} records by key {}: {} ({})",
        recordCount,
        data.key(),
        status,
        AlignedSources.elapsed(started));
    return new Manifest.Counts(
        sources, recordCount, duplicateRows, status, presence, rejected, rejectsByReason);
  }

  /**
   * The first reject written under {@code rejectsDir} as one line (source, file, line, field,
   * reason), or a note that none could be read.
   */
  static String firstReject(Configuration conf, Path rejectsDir) {
    try {
      for (String file : HadoopFiles.listDataFiles(conf, rejectsDir.toString())) {
        Path p = new Path(file);
        try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(p.getFileSystem(conf).open(p), StandardCharsets.UTF_8))) {
          String line = r.readLine();
          if (line != null && !line.isBlank()) {
            var reject = JSON.readTree(line);
            return "source "
                + reject.path("source").asText()
                + ", file "
                + reject.path("file").asText()
                + ", line "
                + reject.path("line").asLong()
                + ", field "
                + reject.path("field").asText()
                + ": "
                + reject.path("reason").asText();
          }
        }
      }
      return "(none readable)";
    } catch (IOException e) {
      return "(cannot read the rejects: " + e.getMessage() + ")";
    }
  }

  /**
   * The distinct accepted keys of a source: keys, or for a nearest-in-time source (many rows per key
   * by design) keys and timestamps.
   */
  private static long distinctKeys(JavaRDD<ParsedRow<SourceValues>> rows, boolean byTime) {
    return rows.map(r -> byTime ? r.key() + Keys.SEPARATOR + r.value().timestamp() : r.key())
        .distinct()
        .count();
  }

  /** Stops prep, naming keys and rows, when a source with {@code duplicates: fail} repeats a key. */
  private static void checkDuplicates(
      List<SourceConfig> configs,
      List<JavaRDD<ParsedRow<SourceValues>>> rows,
      Map<String, Manifest.SourceCount> counts) {
    for (int s = 0; s < configs.size(); s++) {
      SourceConfig src = configs.get(s);
      if (src.duplicates() != SourceConfig.Duplicates.FAIL
          || counts.get(src.name()).duplicates() == 0) {
        continue;
      }
      List<String> examples =
          rows
              .get(s)
              .mapToPair(
                  r -> new Tuple2<>(r.key(), r.file() + (r.line() > 0 ? ":" + r.line() : "")))
              .groupByKey()
              .filter(e -> count(e._2()) > 1)
              .take(3)
              .stream()
              .map(e -> "key " + Keys.display(e._1()) + " at " + String.join(", ", e._2()))
              .toList();
      throw new PrepException(
          "source "
              + src.name()
              + " has "
              + counts.get(src.name()).duplicates()
              + " row(s) repeating a key, and its duplicates policy is fail; for example:\n  "
              + String.join("\n  ", examples)
              + "\nset data.sources["
              + s
              + "].duplicates to first or latest to keep one");
    }
  }

  private static long count(Iterable<?> it) {
    long n = 0;
    for (Object ignored : it) {
      n++;
    }
    return n;
  }
}
