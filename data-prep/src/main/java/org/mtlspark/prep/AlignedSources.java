package org.mtlspark.prep;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.TaskCompletionListener;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.Iterators;
import org.mtlspark.prep.io.PartitionTallies;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceReader;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.SplitOrder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first half of prep, shared with scoring: read and validate every source as the alignment
 * shuffle reads it (rejects written to {@code <staging>/rejects/} with their reason, and
 * counted), align the rows by key, and account for every row; once the records are aligned, stop
 * when more than {@code prep.maxRejectFraction} of the rows were rejected. The aligned records are
 * sorted within their partitions by {@link #order()} (by split, then in the order they are to be
 * written, unless scoring) and stay cached until {@link #unpersist()}.
 */
public record AlignedSources(RecordLayout layout, JavaRDD<AlignedRecord> aligned, SplitOrder order,
    boolean scoring, Manifest.Counts counts, FeaturizerFitter.Tally fitTally) {
  private static final Logger LOG = LoggerFactory.getLogger(AlignedSources.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The first reject written under {@code rejectsDir} as one line (source, file, line, field,
   * reason), or a note that none could be read.
   */
  static String firstReject(Configuration conf, Path rejectsDir) {
    try {
      for (String file : HadoopFiles.listDataFiles(conf, rejectsDir.toString())) {
        Path p = new Path(file);
        try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
            p.getFileSystem(conf).open(p), StandardCharsets.UTF_8))) {
          String line = r.readLine();
          if (line != null && !line.isBlank()) {
            var reject = JSON.readTree(line);
            return "source " + reject.path("source").asText() + ", file " + reject.path("file").asText() + ", line "
                + reject.path("line").asLong() + ", field " + reject.path("field").asText() + ": "
                + reject.path("reason").asText();
          }
        }
      }
      return "(none readable)";
    } catch (IOException e) {
      return "(cannot read the rejects: " + e.getMessage() + ")";
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
    return aligned.filter(scoring ? AlignedSources::scorable : AlignedSources::usable);
  }

  static boolean usable(AlignedRecord r) {
    return r.status() == AlignedRecord.Status.USABLE;
  }

  static boolean scorable(AlignedRecord r) {
    return usable(r) || r.status() == AlignedRecord.Status.NO_LABELS;
  }

  public void unpersist() {
    aligned.unpersist(true);
  }

  /**
   * Reads the sources under {@code dataRoot} and aligns them. With {@code scoring}, labels are
   * optional, a source holding only labels may be absent, and the presence rates count records
   * without labels too. With {@code fit}, the featurizers' statistics over the training examples
   * are counted in the same pass ({@link #fitTally()}; null otherwise).
   */
  public static AlignedSources read(SparkSession spark, MtlConfig config, String dataRoot, Path staging,
      boolean scoring, boolean fit) throws IOException {
    long started = System.nanoTime();
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    DataConfig data = config.data();
    // 1. Sources: list files, then read each source (CSV headers are checked on the driver first).
    RecordLayout layout = new RecordLayout(config);
    List<SourceConfig> sourceConfigs = data.sources();
    SourceReader.Sources read = SourceReader.readAll(spark, conf, config, dataRoot, scoring);
    List<List<String>> files = read.files();
    // 2. Rows: parsed as alignment reads them, every row tallied and every reject written aside on
    // the way. Sources not aligned exactly by the whole key (enrichment and nearest-in-time ones)
    // are read twice (aligned, and their keys counted) and so are cached; the others are read once.
    int sourceCount = sourceConfigs.size();
    Path rejectsDir = new Path(staging, "rejects");
    rejectsDir.getFileSystem(conf.get()).mkdirs(rejectsDir);
    String rejectsPath = rejectsDir.toString();
    PartitionTallies<RowTally> rowTallies = new PartitionTallies<>(() -> new RowTally(sourceCount), RowTally::plus);
    spark.sparkContext().register(rowTallies);
    List<JavaRDD<ParsedRow<SourceValues>>> tallied = new ArrayList<>();
    List<JavaRDD<ParsedRow<SourceValues>>> rows = new ArrayList<>();
    for (int s = 0; s < sourceCount; s++) {
      JavaRDD<ParsedRow<SourceValues>> parsed = read.rows().get(s);
      // Kept apart from the cached one, so that counting a partition again reads its files.
      tallied.add(accepted(parsed, s, sourceCount, conf, rejectsPath, rowTallies));
      rows.add(data.isRecordSource(sourceConfigs.get(s)) ? tallied.get(s)
          : accepted(parsed, s, sourceCount, conf, rejectsPath, rowTallies)
              .persist(StorageLevel.MEMORY_AND_DISK_SER()));
    }

    // 3. Align by key and classify records, in one pass that also caches them and counts them (see
    // RecordCounter).
    SplitOrder order = scoring ? SplitOrder.unsplit()
        : new SplitOrder(KeySplit.of(config.prep().split(), data.key()), config.run().seed());
    RecordCounter counter = new RecordCounter(layout, order, config.tasks(), sourceCount, scoring, fit);
    PartitionTallies<RecordTally> recordTallies = new PartitionTallies<>(counter::zero, RecordTally::plus);
    spark.sparkContext().register(recordTallies);
    int partitions = config.prep().partitionsFor(read.bytes());
    LOG.info("reading and aligning into {} partitions ({} MB of source files; prep.partitions: {})", partitions,
        read.bytes() >> 20, config.prep().partitions());
    JavaRDD<AlignedRecord> aligned = null;
    try {
      aligned = SourceAligner.align(spark, data, rows, layout, order, partitions)
          .mapPartitionsWithIndex((p, it) -> Iterators.counted(it, counter.zero(), counter::count,
              t -> recordTallies.add(p, t)), true)
          .persist(StorageLevel.MEMORY_AND_DISK_SER());
      fill(aligned);
      countMissed(aligned, counter, recordTallies, tallied, rowTallies);
      return counted(config, layout, aligned, order, scoring, rows, files, rowTallies, recordTallies, staging,
          started, fit);
    } catch (RuntimeException e) {
      if (aligned != null) {
        aligned.unpersist(false);
      }
      rows.forEach(r -> r.unpersist(false));
      throw e;
    }
  }

  /**
   * Counts the partitions that went uncounted while they were cached (see {@link
   * PartitionTallies}): aligned records from their cached block, source rows by reading their
   * files again. Rare: it takes a task that cached its block and then failed.
   */
  private static void countMissed(JavaRDD<AlignedRecord> aligned, RecordCounter counter,
      PartitionTallies<RecordTally> recordTallies, List<JavaRDD<ParsedRow<SourceValues>>> tallied,
      PartitionTallies<RowTally> rowTallies) {
    Set<Long> counted = recordTallies.partitions();
    Set<Integer> missed = new HashSet<>();
    for (int p = 0; p < aligned.getNumPartitions(); p++) {
      if (!counted.contains((long) p)) {
        missed.add(p);
      }
    }
    if (!missed.isEmpty()) {
      LOG.warn("counting {} partition(s) of aligned records again: they were cached by a task that failed", missed.size());
      aligned.mapPartitionsWithIndex((p, it) -> {
        if (missed.contains(p)) {
          RecordTally t = counter.zero();
          it.forEachRemaining(r -> counter.count(t, r));
          recordTallies.add(p, t);
        }
        return Collections.emptyIterator();
      }, false).foreachPartition(it -> { });
    }
    Set<Long> rowsCounted = rowTallies.partitions();
    for (int s = 0; s < tallied.size(); s++) {
      int source = s;
      Set<Integer> rowsMissed = new HashSet<>();
      for (int p = 0; p < tallied.get(s).getNumPartitions(); p++) {
        if (!rowsCounted.contains(RowTally.partition(s, p))) {
          rowsMissed.add(p);
        }
      }
      if (!rowsMissed.isEmpty()) {
        LOG.warn("reading {} partition(s) of source {} again to count them: they were cached by a task that failed",
            rowsMissed.size(), source);
        tallied.get(s).mapPartitionsWithIndex((p, it) -> {
          if (rowsMissed.contains(p)) {
            it.forEachRemaining(r -> { });
          }
          return Collections.emptyIterator();
        }, false).foreachPartition(it -> { });
      }
    }
  }

  /**
   * The account of every row and record, from the tallies counted while the records were aligned:
   * stops prep when too many rows were rejected, or when a source that must not repeat keys does.
   */
  private static AlignedSources counted(MtlConfig config, RecordLayout layout, JavaRDD<AlignedRecord> aligned,
      SplitOrder order, boolean scoring, List<JavaRDD<ParsedRow<SourceValues>>> rows, List<List<String>> files,
      PartitionTallies<RowTally> rowTallies, PartitionTallies<RecordTally> recordTallies, Path staging, long started,
      boolean fit) {
    DataConfig data = config.data();
    List<SourceConfig> sourceConfigs = data.sources();
    int sourceCount = sourceConfigs.size();
    RowTally tally = rowTallies.value();
    Map<String, Manifest.SourceCount> sources = new LinkedHashMap<>();
    for (int s = 0; s < sourceCount; s++) {
      SourceConfig src = sourceConfigs.get(s);
      // Duplicates of sources keyed by the whole key were counted while aligning.
      long ok = tally.accepted(s);
      long bad = tally.rejected(s);
      long distinct = data.isRecordSource(src) ? ok : distinctKeys(rows.get(s), src.align() == SourceConfig.Align.NEAREST);
      sources.put(src.name(), new Manifest.SourceCount(files.get(s).size(), ok + bad, ok, bad, ok - distinct));
    }
    long rowCount = sources.values().stream().mapToLong(Manifest.SourceCount::rows).sum();
    long rejected = sources.values().stream().mapToLong(Manifest.SourceCount::rejected).sum();
    LOG.info("read {} source rows from {} files: {} rejected ({})", rowCount,
        files.stream().mapToInt(List::size).sum(), rejected, elapsed(started));
    Map<String, Long> rejectsByReason = new TreeMap<>(tally.byReason());
    double rejectFraction = rowCount == 0 ? 0 : (double) rejected / rowCount;
    if (rejectFraction > config.prep().maxRejectFraction()) {
      // The staging folder, rejects included, is deleted when the run fails: the message carries
      // the counts by reason and the first reject in full.
      throw new PrepException(String.format(
          "%d of %d source rows (%.2f%%) were rejected, more than prep.maxRejectFraction = %s; by reason: %s; "
              + "the first: %s",
          rejected, rowCount, 100 * rejectFraction, config.prep().maxRejectFraction(), rejectsByReason,
          firstReject(aligned.context().hadoopConfiguration(), new Path(staging, "rejects"))));
    }

    RecordTally counted = recordTallies.value();
    for (int s = 0; s < sourceCount; s++) {
      if (data.isRecordSource(sourceConfigs.get(s))) {
        Manifest.SourceCount c = sources.get(sourceConfigs.get(s).name());
        sources.put(sourceConfigs.get(s).name(),
            new Manifest.SourceCount(c.files(), c.rows(), c.accepted(), c.rejected(), counted.duplicates(s),
                counted.differingKeys(s)));
        if (counted.differingKeys(s) > 0) {
          LOG.warn("source {}: {} key(s) repeat with different values; duplicates: first kept the first row of each",
              sourceConfigs.get(s).name(), counted.differingKeys(s));
        }
      }
    }
    checkDuplicates(sourceConfigs, rows, sources);
    // The aligned records are cached and counted: the cached sources are no longer needed.
    rows.forEach(r -> r.unpersist(false));
    Map<String, Long> status = new TreeMap<>();
    for (AlignedRecord.Status st : AlignedRecord.Status.values()) {
      if (counted.records(st) > 0) {
        status.put(st.name().toLowerCase(), counted.records(st));
      }
    }
    long records = status.values().stream().mapToLong(Long::longValue).sum();
    long duplicateRows = sources.values().stream().mapToLong(Manifest.SourceCount::duplicates).sum();
    List<String> modalities = ModelInputs.modalities(layout);
    Map<String, Long> presence = new LinkedHashMap<>();
    for (String modality : ModelInputs.MODALITIES) {
      if (modalities.contains(modality)) {
        presence.put(modality, counted.present(modality));
      }
    }
    LOG.info("aligned {} records by key {}: {} ({})", records, data.key(), status, elapsed(started));
    return new AlignedSources(layout, aligned, order, scoring,
        new Manifest.Counts(sources, records, duplicateRows, status, presence, rejected, rejectsByReason),
        counted.fit());
  }

  /**
   * The distinct accepted keys of a source: keys, or for a nearest-in-time source (many rows per key
   * by design) keys and timestamps.
   */
  private static long distinctKeys(JavaRDD<ParsedRow<SourceValues>> rows, boolean byTime) {
    return rows.map(r -> byTime ? r.key() + Keys.SEPARATOR + r.value().timestamp() : r.key()).distinct().count();
  }

  /**
   * The accepted rows of a source, each partition's rows tallied into {@code tallies} and its
   * rejects written to a file of its own under {@code rejectsDir} as they pass (see below).
   */
  static JavaRDD<ParsedRow<SourceValues>> accepted(JavaRDD<ParsedRow<SourceValues>> parsed, int source,
      int sources, SerializableConf conf, String rejectsDir, PartitionTallies<RowTally> tallies) {
    return parsed.mapPartitionsWithIndex((p, it) -> accepted(source, sources, it, conf.get(),
        new Path(rejectsDir, String.format("part-%03d-%05d.json", source, p)),
        t -> tallies.add(RowTally.partition(source, p), t)), false);
  }

  /**
   * The accepted rows of one partition of a source. As they pass, every row is tallied and every
   * reject written, one JSON object per line, to {@code rejectFile} (replaced when a task is
   * retried; not created when there are none); after the last, the tally goes to {@code done}.
   */
  static Iterator<ParsedRow<SourceValues>> accepted(int source, int sources, Iterator<ParsedRow<SourceValues>> rows,
      Configuration conf, Path rejectFile, Consumer<RowTally> done) {
    RowTally t = new RowTally(sources);
    return new Iterator<>() {
      private ParsedRow<SourceValues> next;
      private Writer rejects;
      private boolean finished;

      @Override
      public boolean hasNext() {
        while (next == null && !finished) {
          if (!rows.hasNext()) {
            finish();
          } else {
            ParsedRow<SourceValues> r = rows.next();
            if (r.isOk()) {
              t.accept(source);
              next = r;
            } else {
              reject(r);
            }
          }
        }
        return next != null;
      }

      @Override
      public ParsedRow<SourceValues> next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        ParsedRow<SourceValues> r = next;
        next = null;
        return r;
      }

      private void reject(ParsedRow<SourceValues> r) {
        t.reject(source, r.reject().category());
        try {
          if (rejects == null) {
            rejects = new BufferedWriter(new OutputStreamWriter(
                rejectFile.getFileSystem(conf).create(rejectFile, true), StandardCharsets.UTF_8));
            // Closed at the end of the rows, or with the task when it fails first.
            TaskContext task = TaskContext.get();
            if (task != null) {
              task.addTaskCompletionListener((TaskCompletionListener) c -> closeQuietly());
            }
          }
          rejects.write(JSON.writeValueAsString(r.reject()));
          rejects.write('\n');
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the rejects file " + rejectFile, e);
        }
      }

      private void closeQuietly() {
        try {
          rejects.close();
        } catch (IOException e) {
          LOG.warn("cannot close the rejects file {} of a task that ended early", rejectFile, e);
        }
      }

      private void finish() {
        finished = true;
        try {
          if (rejects != null) {
            rejects.close();
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the rejects file " + rejectFile, e);
        }
        done.accept(t);
      }
    };
  }

  /**
   * Computes and caches every partition of an RDD persisted at a level that may use disk, without
   * reading the cache back: the action takes the partitions' iterators and leaves them (a level
   * without disk would hand over a partly read iterator for a block that does not fit). Counting
   * iterators inside (see {@link PartitionTallies}) tally the partitions as they are cached.
   */
  private static void fill(JavaRDD<?> persisted) {
    persisted.foreachPartition(it -> { });
  }

  /** Stops prep, naming keys and rows, when a source with {@code duplicates: fail} repeats a key. */
  private static void checkDuplicates(List<SourceConfig> configs, List<JavaRDD<ParsedRow<SourceValues>>> rows,
      Map<String, Manifest.SourceCount> counts) {
    for (int s = 0; s < configs.size(); s++) {
      SourceConfig src = configs.get(s);
      if (src.duplicates() != SourceConfig.Duplicates.FAIL || counts.get(src.name()).duplicates() == 0) {
        continue;
      }
      List<String> examples = rows.get(s)
          .mapToPair(r -> new scala.Tuple2<>(r.key(), r.file() + (r.line() > 0 ? ":" + r.line() : "")))
          .groupByKey().filter(e -> count(e._2()) > 1)
          .take(3).stream().map(e -> "key " + Keys.display(e._1()) + " at " + String.join(", ", e._2())).toList();
      throw new PrepException("source " + src.name() + " has " + counts.get(src.name()).duplicates()
          + " row(s) repeating a key, and its duplicates policy is fail; for example:\n  "
          + String.join("\n  ", examples) + "\nset data.sources[" + s + "].duplicates to first or latest to keep one");
    }
  }

  private static long count(Iterable<?> it) {
    long n = 0;
    for (Object ignored : it) {
      n++;
    }
    return n;
  }

  private static String elapsed(long started) {
    return String.format("%.1fs", (System.nanoTime() - started) / 1e9);
  }
}
