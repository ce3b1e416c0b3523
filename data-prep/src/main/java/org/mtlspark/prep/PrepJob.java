package org.mtlspark.prep;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.BatchWriter;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.ExampleWriter;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.Reject;
import org.mtlspark.prep.source.SourceReader;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Sources to a prepared data set: read and validate every source (rejects written aside with their
 * reason), align by key, split by a hash of the key, fit the featurizers on the training split,
 * write MultiDataSet batches per split and the manifest. The output folder appears only when
 * complete: everything is written to a hidden staging folder that is renamed at the end.
 *
 * <p>Output layout: {@code manifest.json}, {@code batches/{train,validation,test}/part-NNNNN.mdsp}
 * (batch packs, see {@link BatchPack}), {@code examples/{train,validation,test}/part-NNNNN.parquet}
 * (when {@code prep.writeExamples}), {@code rejects/} (JSON lines, one reject per line).
 */
public final class PrepJob {
  private static final Logger LOG = LoggerFactory.getLogger(PrepJob.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;

  public PrepJob(SparkSession spark) {
    this.spark = spark;
  }

  /** Prepares the sources under {@code dataRoot} into {@code out}; returns the manifest written. */
  public Manifest run(MtlConfig config, String dataRoot, String out) throws IOException {
    long started = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    SerializableConf conf = new SerializableConf(hadoop);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    DataConfig data = config.data();
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(hadoop);
    if (fs.exists(target)) {
      throw new IOException("output " + target + " already exists; choose another --out or remove it");
    }
    Path staging = new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID() + ".tmp");

    // 1. Sources: list files, then read each source (CSV headers are checked on the driver first).
    RecordLayout layout = new RecordLayout(config);
    List<SourceConfig> sourceConfigs = data.sources();
    SourceReader.Sources read = SourceReader.readAll(spark, conf, config, dataRoot);
    List<List<String>> files = read.files();
    List<JavaRDD<ParsedRow<SourceValues>>> rows = new ArrayList<>();
    read.rows().forEach(r -> rows.add(r.persist(StorageLevel.MEMORY_AND_DISK_SER())));

    // 2. Rejects: counted, written aside, and checked against the allowed fraction; duplicates counted.
    Map<String, Manifest.SourceCount> sources = new LinkedHashMap<>();
    for (int s = 0; s < sourceConfigs.size(); s++) {
      SourceConfig src = sourceConfigs.get(s);
      // Duplicates of sources keyed by the whole key are counted during alignment, in the same pass.
      sources.put(src.name(), count(rows.get(s), files.get(s).size(), !data.isRecordSource(src),
          src.align() == SourceConfig.Align.NEAREST));
    }
    long rowCount = sources.values().stream().mapToLong(Manifest.SourceCount::rows).sum();
    long rejected = sources.values().stream().mapToLong(Manifest.SourceCount::rejected).sum();
    LOG.info("read {} source rows from {} files: {} rejected ({})", rowCount,
        files.stream().mapToInt(List::size).sum(), rejected, elapsed(started));
    JavaRDD<Reject> rejects = null;
    for (JavaRDD<ParsedRow<SourceValues>> r : rows) {
      JavaRDD<Reject> bad = r.filter(x -> !x.isOk()).map(ParsedRow::reject);
      rejects = rejects == null ? bad : rejects.union(bad);
    }
    Map<String, Long> rejectsByReason = new TreeMap<>(rejects.map(Reject::category).countByValue());
    rejects.map(JSON::writeValueAsString).coalesce(1).saveAsTextFile(new Path(staging, "rejects").toString());
    double rejectFraction = rowCount == 0 ? 0 : (double) rejected / rowCount;
    if (rejectFraction > config.prep().maxRejectFraction()) {
      throw new PrepException(String.format(
          "%d of %d source rows (%.2f%%) were rejected, more than prep.maxRejectFraction = %s; "
              + "the rejects, with file, line, field and reason, are in %s; by reason: %s",
          rejected, rowCount, 100 * rejectFraction, config.prep().maxRejectFraction(),
          new Path(staging, "rejects"), rejectsByReason));
    }

    // 3. Align by key and classify records.
    JavaRDD<AlignedRecord> aligned = SourceAligner.align(data, rows, layout, config.prep().partitions()).persist(StorageLevel.MEMORY_AND_DISK_SER());
    int n = sourceConfigs.size();
    long[] repeats = aligned.map(r -> {
      long[] d = new long[n];
      for (int s = 0; s < n; s++) {
        d[s] = Math.max(0, r.rowCounts()[s] - 1);
      }
      return d;
    }).fold(new long[n], (a, b) -> {
      long[] sum = new long[n];
      for (int s = 0; s < n; s++) {
        sum[s] = a[s] + b[s];
      }
      return sum;
    });
    for (int s = 0; s < n; s++) {
      if (data.isRecordSource(sourceConfigs.get(s))) {
        Manifest.SourceCount c = sources.get(sourceConfigs.get(s).name());
        sources.put(sourceConfigs.get(s).name(),
            new Manifest.SourceCount(c.files(), c.rows(), c.accepted(), c.rejected(), repeats[s]));
      }
    }
    checkDuplicates(sourceConfigs, rows, sources);
    Map<String, Long> status = new TreeMap<>();
    aligned.map(r -> r.status().name().toLowerCase()).countByValue().forEach(status::put);
    long records = status.values().stream().mapToLong(Long::longValue).sum();
    long duplicateRows = sources.values().stream().mapToLong(Manifest.SourceCount::duplicates).sum();
    JavaRDD<AlignedRecord> usable = aligned.filter(r -> r.status() == AlignedRecord.Status.USABLE);
    List<String> modalities = ModelInputs.modalities(layout);
    Map<String, Long> presence = new LinkedHashMap<>();
    long[] present = usable.map(r -> new long[] {layout.tabularPresent(r) ? 1 : 0, layout.text(r) != null ? 1 : 0,
        layout.image(r) != null ? 1 : 0}).fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    for (int i = 0; i < ModelInputs.MODALITIES.size(); i++) {
      if (modalities.contains(ModelInputs.MODALITIES.get(i))) {
        presence.put(ModelInputs.MODALITIES.get(i), present[i]);
      }
    }
    LOG.info("aligned {} records by key {}: {} ({})", records, data.key(), status, elapsed(started));
    if (status.getOrDefault("usable", 0L) == 0) {
      throw new PrepException("no usable record: every key lacks labels or all modalities; record status " + status);
    }

    // 4. Split by key hash; fit featurizers on the training split only.
    KeySplit splitter = new KeySplit(config.prep().split().train(), config.prep().split().validation(),
        config.prep().split().salt(), data.key().indexOf(config.prep().split().by()));
    JavaRDD<AlignedRecord> train = usable.filter(r -> splitter.assign(r.key()) == Split.TRAIN);
    FeaturizerState state = FeaturizerFitter.fit(train, config, layout);
    Featurizer featurizer = new Featurizer(state, layout);
    LOG.info("fit featurizers on the training split: {} tabular features, {} tokens in the vocabulary ({})",
        state.tabularWidth(), state.vocabulary().size(), elapsed(started));

    // 5. Featurize and write every split in one pass: one shuffle lays the splits out over their own
    // partitions, each sorted; each partition writes one batch pack (and one Parquet file of examples).
    int batchSize = config.prep().batchSize();
    long seed = config.run().seed();
    SplitOrder order = new SplitOrder(config.prep().partitions());
    boolean writeExamples = config.prep().writeExamples();
    String stagingDir = staging.toString();
    for (Split split : Split.values()) {
      fs.mkdirs(new Path(staging, "batches/" + split.id()));
    }
    List<Tuple2<Integer, BatchWriter.Stats>> written = usable
        .mapToPair(r -> new Tuple2<>(SplitOrder.Key.of(splitter.assign(r.key()), seed, r.key()), r))
        .repartitionAndSortWithinPartitions(order)
        .mapPartitionsWithIndex((index, it) -> {
          Split split = order.split(index);
          String file = String.format("part-%05d", order.indexInSplit(index));
          Path pack = new Path(stagingDir, "batches/" + split.id() + "/" + file + BatchPack.EXTENSION);
          Path parquet = writeExamples ? new Path(stagingDir, "examples/" + split.id() + "/" + file + ".parquet") : null;
          Iterator<Example> examples = featurized(it, featurizer);
          BatchWriter.Stats stats = BatchWriter.writePartition(examples, featurizer, batchSize, conf.get(), pack, parquet);
          return List.of(new Tuple2<>(split.ordinal(), stats)).iterator();
        }, true)
        .collect();
    Map<String, Manifest.SplitSummary> splits = new LinkedHashMap<>();
    for (Split split : Split.values()) {
      BatchWriter.Stats stats = written.stream().filter(w -> w._1() == split.ordinal()).map(Tuple2::_2)
          .reduce(BatchWriter.Stats.empty(state.tasks().size()), BatchWriter.Stats::plus);
      if (writeExamples && stats.examples() == 0) {
        // An empty split still gets a readable (empty) Parquet file with the schema.
        new ExampleWriter(hadoop, new Path(staging, "examples/" + split.id() + "/part-00000.parquet"), state).close();
      }
      Map<String, Long> labelled = new LinkedHashMap<>();
      for (int t = 0; t < state.tasks().size(); t++) {
        labelled.put(state.tasks().get(t).name(), stats.labelled()[t]);
      }
      String rel = "batches/" + split.id();
      splits.put(split.id(), new Manifest.SplitSummary(rel, stats.examples(), stats.batches(), stats.padding(),
          labelled, stats.files()));
      LOG.info("wrote {} split: {} examples in {} batches of {} ({} padding rows) in {} pack file(s) ({})",
          split.id(), stats.examples(), stats.batches(), batchSize, stats.padding(), stats.files().size(),
          elapsed(started));
    }

    Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, Instant.now().toString(), batchSize,
        inputs(state), state, splits,
        new Manifest.Counts(sources, records, duplicateRows, status, presence, rejected, rejectsByReason));
    manifest.write(hadoop, staging.toString());
    HadoopFiles.renameOrFail(fs, staging, target);
    rows.forEach(r -> r.unpersist(true));
    aligned.unpersist(true);
    LOG.info("prepared data set in {} ({})", target, elapsed(started));
    return manifest;
  }

  /** The records of a sorted partition, featurized one at a time as the writer consumes them. */
  private static Iterator<Example> featurized(Iterator<Tuple2<SplitOrder.Key, AlignedRecord>> records,
      Featurizer featurizer) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return records.hasNext();
      }

      @Override
      public Example next() {
        return featurizer.featurize(records.next()._2());
      }
    };
  }

  static List<Manifest.InputSpec> inputs(FeaturizerState s) {
    List<Manifest.InputSpec> in = new ArrayList<>();
    for (String input : s.inputs()) {
      in.add(switch (input) {
        case ModelInputs.TABULAR -> new Manifest.InputSpec(input, List.of(s.tabularWidth()),
            "standardized numeric columns (with a missing-value indicator each when enabled), one-hot categories "
                + "with an 'other' slot each, hashed columns in buckets");
        case ModelInputs.TEXT -> new Manifest.InputSpec(input, List.of(s.maxTokens()),
            "token ids (0 pad, 1 unknown, 2 no text) with a feature mask; " + s.textVocabularySize() + " ids");
        case ModelInputs.IMAGE -> new Manifest.InputSpec(input, List.of(1, s.imageHeight(), s.imageWidth()),
            "grey pixels scaled to [0, 1], flattened row-major");
        default -> new Manifest.InputSpec(input, List.of(s.modalities().size()),
            "1 where the record has the modality: " + String.join(", ", s.modalities()));
      });
    }
    return in;
  }

  /**
   * Rows, accepted, rejected and duplicate rows of a source: rows repeating a key, or for a
   * nearest-in-time source (many rows per key by design) a key and a timestamp.
   */
  private static Manifest.SourceCount count(JavaRDD<ParsedRow<SourceValues>> rows, int files, boolean duplicates,
      boolean byTime) {
    Map<Boolean, Long> byOk = rows.map(ParsedRow::isOk).countByValue();
    long ok = byOk.getOrDefault(true, 0L);
    long bad = byOk.getOrDefault(false, 0L);
    long distinct = !duplicates ? ok : rows.filter(ParsedRow::isOk)
        .map(r -> byTime ? r.key() + Keys.SEPARATOR + r.value().timestamp() : r.key()).distinct().count();
    return new Manifest.SourceCount(files, ok + bad, ok, bad, ok - distinct);
  }

  /** Stops prep, naming keys and rows, when a source with {@code duplicates: fail} repeats a key. */
  private static void checkDuplicates(List<SourceConfig> configs, List<JavaRDD<ParsedRow<SourceValues>>> rows,
      Map<String, Manifest.SourceCount> counts) {
    for (int s = 0; s < configs.size(); s++) {
      SourceConfig src = configs.get(s);
      if (src.duplicates() != SourceConfig.Duplicates.FAIL || counts.get(src.name()).duplicates() == 0) {
        continue;
      }
      List<String> examples = rows.get(s).filter(ParsedRow::isOk)
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
