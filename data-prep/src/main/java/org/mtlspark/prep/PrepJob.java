package org.mtlspark.prep;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
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
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.ModalityJoiner;
import org.mtlspark.prep.feature.BatchWriter;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.CsvHeader;
import org.mtlspark.prep.source.ImageSourceReader;
import org.mtlspark.prep.source.LabelFormat;
import org.mtlspark.prep.source.LabelValues;
import org.mtlspark.prep.source.LineSourceReader;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.Reject;
import org.mtlspark.prep.source.TabularFormat;
import org.mtlspark.prep.source.TabularValues;
import org.mtlspark.prep.source.TextFormat;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.Split;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sources to a prepared data set: read and validate every source (rejects written aside with their
 * reason), align by key, split by a hash of the key, fit the featurizers on the training split,
 * write MultiDataSet batches per split and the manifest. The output folder appears only when
 * complete: everything is written to a hidden staging folder that is renamed at the end.
 *
 * <p>Output layout: {@code manifest.json}, {@code batches/{train,validation,test}/*.mds},
 * {@code rejects/} (JSON lines, one reject per line).
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

    // 1. Sources: list files and check CSV headers on the driver, before any Spark job.
    TabularFormat tabularFormat = new TabularFormat(data.key(), data.tabular().numeric(),
        data.tabular().categorical(), data.nullToken());
    LabelFormat labelFormat = new LabelFormat(data.key(), config.tasks(), data.nullToken());
    List<String> tabularFiles = sourceFiles(hadoop, dataRoot, data.tabular().path(), "tabular");
    List<String> textFiles = sourceFiles(hadoop, dataRoot, data.text().path(), "text");
    List<String> imageFiles = sourceFiles(hadoop, dataRoot, data.image().path(), "image");
    List<String> labelFiles = sourceFiles(hadoop, dataRoot, data.labels().path(), "labels");
    checkHeaders(hadoop, tabularFiles, tabularFormat.requiredColumns());
    checkHeaders(hadoop, labelFiles, labelFormat.requiredColumns());

    JavaRDD<ParsedRow<TabularValues>> tabular =
        LineSourceReader.read(jsc, conf, tabularFiles, tabularFormat).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<ParsedRow<String>> text = LineSourceReader.read(jsc, conf, textFiles,
        new TextFormat(data.key(), data.text().field())).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<ParsedRow<byte[]>> image = ImageSourceReader.read(spark, imageFiles, data.key(), data.image().field(),
        data.image().width(), data.image().height()).persist(StorageLevel.MEMORY_AND_DISK());
    JavaRDD<ParsedRow<LabelValues>> labels =
        LineSourceReader.read(jsc, conf, labelFiles, labelFormat).persist(StorageLevel.MEMORY_AND_DISK());

    // 2. Rejects: counted, written aside, and checked against the allowed fraction.
    Map<String, Manifest.SourceCount> sources = new LinkedHashMap<>();
    sources.put(TabularFormat.SOURCE, count(tabular, tabularFiles.size()));
    sources.put(TextFormat.SOURCE, count(text, textFiles.size()));
    sources.put(ImageSourceReader.SOURCE, count(image, imageFiles.size()));
    sources.put(LabelFormat.SOURCE, count(labels, labelFiles.size()));
    long rows = sources.values().stream().mapToLong(Manifest.SourceCount::rows).sum();
    long rejected = sources.values().stream().mapToLong(Manifest.SourceCount::rejected).sum();
    LOG.info("read {} source rows from {} files: {} rejected ({})", rows,
        tabularFiles.size() + textFiles.size() + imageFiles.size() + labelFiles.size(), rejected, elapsed(started));
    JavaRDD<Reject> rejects = tabular.filter(r -> !r.isOk()).map(ParsedRow::reject)
        .union(text.filter(r -> !r.isOk()).map(ParsedRow::reject))
        .union(image.filter(r -> !r.isOk()).map(ParsedRow::reject))
        .union(labels.filter(r -> !r.isOk()).map(ParsedRow::reject));
    Map<String, Long> rejectsByReason = new TreeMap<>(rejects.map(Reject::category).countByValue());
    rejects.map(JSON::writeValueAsString).coalesce(1).saveAsTextFile(new Path(staging, "rejects").toString());
    double rejectFraction = rows == 0 ? 0 : (double) rejected / rows;
    if (rejectFraction > config.prep().maxRejectFraction()) {
      throw new PrepException(String.format(
          "%d of %d source rows (%.2f%%) were rejected, more than prep.maxRejectFraction = %s; "
              + "the rejects, with file, line, field and reason, are in %s; by reason: %s",
          rejected, rows, 100 * rejectFraction, config.prep().maxRejectFraction(),
          new Path(staging, "rejects"), rejectsByReason));
    }

    // 3. Align by key and classify records.
    JavaRDD<AlignedRecord> aligned = ModalityJoiner.join(tabular, text, image, labels, config.prep().partitions())
        .persist(StorageLevel.MEMORY_AND_DISK());
    Map<String, Long> status = new TreeMap<>();
    aligned.map(r -> r.status().name().toLowerCase()).countByValue().forEach(status::put);
    long records = status.values().stream().mapToLong(Long::longValue).sum();
    long duplicateRows = aligned.map(r -> (long) r.duplicates()).fold(0L, Long::sum);
    JavaRDD<AlignedRecord> usable = aligned.filter(r -> r.status() == AlignedRecord.Status.USABLE);
    Map<String, Long> presence = new LinkedHashMap<>();
    long[] present = usable.map(r -> new long[] {r.tabular() != null ? 1 : 0, r.text() != null ? 1 : 0,
        r.image() != null ? 1 : 0}).fold(new long[3], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1], a[2] + b[2]});
    for (int i = 0; i < ModelInputs.MODALITIES.size(); i++) {
      presence.put(ModelInputs.MODALITIES.get(i), present[i]);
    }
    LOG.info("aligned {} records by key: {} ({})", records, status, elapsed(started));
    if (status.getOrDefault("usable", 0L) == 0) {
      throw new PrepException("no usable record: every key lacks labels or all modalities; record status " + status);
    }

    // 4. Split by key hash; fit featurizers on the training split only.
    KeySplit splitter = new KeySplit(config.prep().split().train(), config.prep().split().validation(),
        config.prep().split().salt());
    JavaRDD<AlignedRecord> train = usable.filter(r -> splitter.assign(r.key()) == Split.TRAIN);
    FeaturizerState state = FeaturizerFitter.fit(train, config);
    Featurizer featurizer = new Featurizer(state);
    LOG.info("fit featurizers on the training split: {} tabular features, {} tokens in the vocabulary ({})",
        state.tabularWidth(), state.vocabulary().size(), elapsed(started));

    // 5. Featurize and write the batches of each split.
    int batchSize = config.prep().batchSize();
    int partitions = config.prep().partitions();
    long seed = config.run().seed();
    Map<String, Manifest.SplitSummary> splits = new LinkedHashMap<>();
    for (Split split : Split.values()) {
      JavaRDD<AlignedRecord> part = usable.filter(r -> splitter.assign(r.key()) == split);
      // Training batches mix keys in a seeded order; the others keep key order.
      JavaRDD<Example> examples = split == Split.TRAIN
          ? part.sortBy(r -> KeySplit.unit(seed + ":" + r.key()), true, partitions).map(featurizer::featurize)
          : part.sortBy(AlignedRecord::key, true, partitions).map(featurizer::featurize);
      String rel = "batches/" + split.id();
      Path dir = new Path(staging, rel);
      fs.mkdirs(dir);
      BatchWriter.Stats stats = BatchWriter.write(examples, featurizer, batchSize, conf, dir.toString());
      Map<String, Long> labelled = new LinkedHashMap<>();
      for (int t = 0; t < state.tasks().size(); t++) {
        labelled.put(state.tasks().get(t).name(), stats.labelled()[t]);
      }
      splits.put(split.id(), new Manifest.SplitSummary(rel, stats.examples(), stats.batches(), stats.padding(),
          labelled));
      LOG.info("wrote {} split: {} examples in {} batches of {} ({} padding rows) ({})", split.id(),
          stats.examples(), stats.batches(), batchSize, stats.padding(), elapsed(started));
    }

    Manifest manifest = new Manifest(Manifest.FORMAT_VERSION, Instant.now().toString(), batchSize,
        inputs(state), state, splits,
        new Manifest.Counts(sources, records, duplicateRows, status, presence, rejected, rejectsByReason));
    manifest.write(hadoop, staging.toString());
    HadoopFiles.renameOrFail(fs, staging, target);
    for (JavaRDD<?> rdd : List.of(tabular, text, image, labels, aligned)) {
      rdd.unpersist(false);
    }
    LOG.info("prepared data set in {} ({})", target, elapsed(started));
    return manifest;
  }

  static List<Manifest.InputSpec> inputs(FeaturizerState s) {
    List<Manifest.InputSpec> in = new ArrayList<>();
    in.add(new Manifest.InputSpec(ModelInputs.TABULAR, List.of(s.tabularWidth()),
        "standardized numeric columns, then one-hot categories with an 'other' slot each"));
    in.add(new Manifest.InputSpec(ModelInputs.TEXT, List.of(s.maxTokens()),
        "token ids (0 pad, 1 unknown, 2 no text) with a feature mask; " + s.textVocabularySize() + " ids"));
    in.add(new Manifest.InputSpec(ModelInputs.IMAGE, List.of(1, s.imageHeight(), s.imageWidth()),
        "grey pixels scaled to [0, 1], flattened row-major"));
    in.add(new Manifest.InputSpec(ModelInputs.PRESENCE, List.of(ModelInputs.MODALITIES.size()),
        "1 where the record has the modality: " + String.join(", ", ModelInputs.MODALITIES)));
    return in;
  }

  private static <T extends java.io.Serializable> Manifest.SourceCount count(JavaRDD<ParsedRow<T>> rows, int files) {
    Map<Boolean, Long> byOk = rows.map(ParsedRow::isOk).countByValue();
    long ok = byOk.getOrDefault(true, 0L);
    long bad = byOk.getOrDefault(false, 0L);
    return new Manifest.SourceCount(files, ok + bad, ok, bad);
  }

  private static List<String> sourceFiles(Configuration conf, String root, String path, String source)
      throws IOException {
    String resolved = HadoopFiles.resolve(root, path);
    List<String> files;
    try {
      files = HadoopFiles.listDataFiles(conf, resolved);
    } catch (IOException e) {
      throw new PrepException("the " + source + " source " + resolved + " does not exist (data."
          + source + ".path = " + path + ", data root " + (root.isEmpty() ? "(none)" : root) + ")");
    }
    if (files.isEmpty()) {
      throw new PrepException("the " + source + " source " + resolved + " holds no data files");
    }
    return files;
  }

  private static void checkHeaders(Configuration conf, List<String> files, List<String> required) throws IOException {
    List<String> problems = new ArrayList<>();
    for (String file : files) {
      Path p = new Path(file);
      try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
          p.getFileSystem(conf).open(p), java.nio.charset.StandardCharsets.UTF_8))) {
        String header = r.readLine();
        if (header == null) {
          problems.add(file + ": empty file, expected a header row");
          continue;
        }
        List<String> missing = new CsvHeader(header).missing(required);
        if (!missing.isEmpty()) {
          problems.add(file + ": header lacks column(s) " + missing + " (header: " + header + ")");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new PrepException("source files do not match the configuration:\n  " + String.join("\n  ", problems));
    }
  }

  private static String elapsed(long started) {
    return String.format("%.1fs", (System.nanoTime() - started) / 1e9);
  }
}
