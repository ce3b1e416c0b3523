package org.mtlspark.prep;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.BatchWriter;
import org.mtlspark.prep.feature.ExampleWriter;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.WordVectors;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.Iterators;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.io.StagingFolder;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Sources to a prepared data set: read, validate and align the sources by key ({@link
 * AlignedSources}; rejects written aside with their reason), split the records by their key (a hash
 * of it, or of one of its columns, or that column's value: see {@link
 * org.mtlspark.prep.split.KeySplit}), fit the featurizers on the training split or keep given ones,
 * then write the MultiDataSet batches of every split and the manifest. The output folder appears
 * only when complete: everything is written to a hidden staging folder that is renamed at the end.
 *
 * <p>Output layout: {@code manifest.json}; {@code batches/{train,validation,test}/part-NNNNN.mdsp},
 * one batch pack (see {@link BatchPack}) per partition of the records and split it holds; {@code
 * examples/{train,validation,test}/part-NNNNN.parquet} likewise, when {@code prep.writeExamples}
 * (an empty split gets one empty file); {@code rejects/part-SSS-PPPPP.json}, per partition of a
 * source that has rejects, one JSON object per reject and line.
 */
public final class PrepJob {
  private static final Logger LOG = LoggerFactory.getLogger(PrepJob.class);

  private final SparkSession spark;

  public PrepJob(SparkSession spark) {
    this.spark = spark;
  }

  /** Prepares the sources under {@code dataRoot} into {@code out}; returns the manifest written. */
  public Manifest run(MtlConfig config, String dataRoot, String out) throws IOException {
    return run(config, dataRoot, out, null);
  }

  /**
   * As {@link #run(MtlConfig, String, String)}, but with given featurizers instead of ones fit on
   * the training split (when not null): the transformation of an earlier data set, so that a model
   * trained on that one can go on training on this one.
   */
  public Manifest run(MtlConfig config, String dataRoot, String out, FeaturizerState featurizers)
      throws IOException {
    long started = System.nanoTime();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    SerializableConf conf = new SerializableConf(hadoop);
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(hadoop);
    HadoopFiles.checkNewOutput(hadoop, out);
    if (config.prep().text().hasVectors()) {
      WordVectors.requireFile(hadoop, config.prep().text().vectors());
    }
    Path staging = StagingFolder.beside(target);
    try {
      // 1-3. Read and validate the sources (rejects written aside), align by key.
      JobLabels.describe(spark, "prep", "read and align sources");
      AlignedSources in =
          AlignedSources.read(
              spark,
              config,
              dataRoot,
              staging,
              featurizers == null ? AlignedSources.Mode.FIT : AlignedSources.Mode.APPLY);
      RecordLayout layout = in.layout();
      Map<String, Long> status = in.status();
      JavaRDD<AlignedRecord> usable = in.examples();
      if (status.getOrDefault("usable", 0L) == 0) {
        throw new PrepException(
            "no usable record: every key lacks labels or all modalities; record status " + status);
      }

      // 4. Split by key; fit featurizers on the training split only (its statistics were counted
      // while
      // aligning), unless they are given.
      SplitOrder order = in.order();
      JavaRDD<AlignedRecord> train = usable.filter(r -> order.split(r.key()) == Split.TRAIN);
      JobLabels.describe(spark, "prep", "fit featurizers and vocabulary");
      FeaturizerState state =
          featurizers != null
              ? compatible(featurizers, config, layout)
              : FeaturizerFitter.fit(in.fitTally(), train, config, layout);
      Featurizer featurizer = new Featurizer(state, layout);
      LOG.info(
          (featurizers != null
                  ? "kept the given featurizers"
                  : "fit featurizers on the training split")
              + ": {} tabular features, {} tokens in the vocabulary ({})",
          state.tabularWidth(),
          state.vocabulary().size(),
          elapsed(started));
      for (int c = 0; c < state.idColumns().size(); c++) {
        LOG.info(
            "identifier column {}: {} ids in the vocabulary, besides index 0 (unknown or missing)",
            state.idColumns().get(c),
            state.idVocabularies().get(c).size());
      }

      WordVectors vectors = textVectors(hadoop, config, state, staging);

      // 5. Featurize and write every split in one pass: alignment left each partition sorted by
      // split,
      // then in write order; each partition writes one batch pack per split it holds (and one
      // Parquet
      // file of examples).
      int batchSize = config.prep().batchSize();
      boolean writeExamples = config.prep().writeExamples();
      String stagingDir = staging.toString();
      for (Split split : Split.values()) {
        fs.mkdirs(new Path(staging, "batches/" + split.id()));
      }
      JobLabels.describe(spark, "prep", "featurize and write batches");
      List<Tuple2<Integer, BatchWriter.Stats>> written =
          usable
              .mapPartitionsWithIndex(
                  (index, it) -> {
                    String file = String.format("part-%05d", index);
                    List<Tuple2<Integer, BatchWriter.Stats>> stats = new ArrayList<>();
                    SplitRuns runs = new SplitRuns(it, order);
                    while (runs.nextSplit()) {
                      Split split = runs.split();
                      Path pack =
                          new Path(
                              stagingDir,
                              "batches/" + split.id() + "/" + file + BatchPack.EXTENSION);
                      Path parquet =
                          writeExamples
                              ? new Path(
                                  stagingDir, "examples/" + split.id() + "/" + file + ".parquet")
                              : null;
                      BatchWriter.Stats run =
                          BatchWriter.writePartition(
                              Iterators.map(runs, featurizer::featurize),
                              featurizer,
                              batchSize,
                              conf.get(),
                              pack,
                              parquet);
                      stats.add(new Tuple2<>(split.ordinal(), run));
                    }
                    return stats.iterator();
                  },
                  true)
              .collect();
      Map<String, Manifest.SplitSummary> splits = new LinkedHashMap<>();
      for (Split split : Split.values()) {
        BatchWriter.Stats stats =
            written.stream()
                .filter(w -> w._1() == split.ordinal())
                .map(Tuple2::_2)
                .reduce(
                    BatchWriter.Stats.empty(state.tasks().size(), state.idColumns().size()),
                    BatchWriter.Stats::plus);
        if (writeExamples && stats.examples() == 0) {
          // An empty split still gets a readable (empty) Parquet file with the schema.
          new ExampleWriter(
                  hadoop,
                  new Path(staging, "examples/" + split.id() + "/part-00000.parquet"),
                  state)
              .close();
        }
        Map<String, Long> labelled = new LinkedHashMap<>();
        for (int t = 0; t < state.tasks().size(); t++) {
          labelled.put(state.tasks().get(t).name(), stats.labelled()[t]);
        }
        Map<String, Long> unknownIds = new LinkedHashMap<>();
        for (int c = 0; c < state.idColumns().size(); c++) {
          unknownIds.put(state.idColumns().get(c), stats.unknownIds()[c]);
        }
        String rel = "batches/" + split.id();
        Manifest.SplitSummary summary =
            new Manifest.SplitSummary(
                rel,
                stats.examples(),
                stats.batches(),
                stats.padding(),
                labelled,
                unknownIds,
                stats.files());
        splits.put(split.id(), summary);
        for (String column : unknownIds.keySet()) {
          LOG.info(
              "{} split: {} of {} examples ({}) have an id of {} out of the vocabulary (index 0)",
              split.id(),
              unknownIds.get(column),
              stats.examples(),
              String.format("%.2f%%", 100 * summary.unknownIdShare(column)),
              column);
        }
        LOG.info(
            "wrote {} split: {} examples in {} batches of {} ({} padding rows) in {} pack file(s) ({})",
            split.id(),
            stats.examples(),
            stats.batches(),
            batchSize,
            stats.padding(),
            stats.files().size(),
            elapsed(started));
      }

      Manifest manifest =
          new Manifest(
              Manifest.FORMAT_VERSION,
              Instant.now().toString(),
              batchSize,
              inputs(state),
              state,
              splits,
              in.counts(),
              vectors == null
                  ? null
                  : new Manifest.TextVectors(
                      config.prep().text().vectors(),
                      TEXT_VECTORS_FILE,
                      vectors.dimension(),
                      vectors.tokens(),
                      vectors.covered()));
      manifest.write(hadoop, staging.toString());
      HadoopFiles.renameOrFail(fs, staging, target);
      in.unpersist();
      LOG.info("prepared data set in {} ({})", target, elapsed(started));
      return manifest;
    } catch (IOException | RuntimeException | Error e) {
      StagingFolder.discard(spark, fs, staging, e);
      throw e;
    }
  }

  /** Given featurizers, when they transform the records of this configuration; a clear error otherwise. */
  static FeaturizerState compatible(FeaturizerState given, MtlConfig config, RecordLayout layout) {
    List<String> modalities = ModelInputs.modalities(layout);
    if (!given.modalities().equals(modalities)) {
      throw new PrepException(
          "the given featurizers encode the modalities "
              + given.modalities()
              + ", the sources configured now give "
              + modalities);
    }
    List<String> ids = layout.ids().stream().map(RecordLayout.Ref::name).toList();
    if (!given.idColumns().equals(ids)) {
      throw new PrepException(
          "the given featurizers encode the identifier columns "
              + given.idColumns()
              + ", the sources configured now have "
              + ids);
    }
    List<String> tasks = config.tasks().stream().map(t -> t.name() + ":" + t.type()).toList();
    List<String> encoded = given.tasks().stream().map(t -> t.name() + ":" + t.type()).toList();
    if (!encoded.equals(tasks)) {
      throw new PrepException(
          "the given featurizers encode the tasks " + encoded + ", the configuration has " + tasks);
    }
    return given;
  }

  /**
   * The records of a partition sorted by split, one split at a time: {@link #nextSplit()} moves to
   * the next split present, and the iterator then gives that split's records.
   */
  static final class SplitRuns implements Iterator<AlignedRecord> {
    private final Iterator<AlignedRecord> records;
    private final SplitOrder order;
    private AlignedRecord pending;
    private Split pendingSplit;
    private Split split;

    SplitRuns(Iterator<AlignedRecord> records, SplitOrder order) {
      this.records = records;
      this.order = order;
    }

    /** Skips what is left of the current split; false when no record is left. */
    boolean nextSplit() {
      while (hasNext()) {
        next();
      }
      if (pending == null && records.hasNext()) {
        pending = records.next();
        pendingSplit = order.split(pending.key());
      }
      split = pendingSplit;
      return pending != null;
    }

    Split split() {
      return split;
    }

    @Override
    public boolean hasNext() {
      if (pending == null && split != null && records.hasNext()) {
        pending = records.next();
        pendingSplit = order.split(pending.key());
      }
      return pending != null && pendingSplit == split;
    }

    @Override
    public AlignedRecord next() {
      if (!hasNext()) {
        throw new java.util.NoSuchElementException();
      }
      AlignedRecord r = pending;
      pending = null;
      return r;
    }
  }

  static List<Manifest.InputSpec> inputs(FeaturizerState s) {
    List<Manifest.InputSpec> in = new ArrayList<>();
    for (String input : s.inputs()) {
      in.add(
          switch (input) {
            case ModelInputs.TABULAR ->
                new Manifest.InputSpec(
                    input,
                    List.of(s.tabularWidth()),
                    "standardized numeric columns (with a missing-value indicator each when enabled), one-hot categories "
                        + "with an 'other' slot each, hashed columns in buckets");
            case ModelInputs.TEXT ->
                new Manifest.InputSpec(
                    input,
                    List.of(s.maxTokens()),
                    "token ids (0 pad, 1 unknown, 2 no text) with a feature mask; "
                        + s.textVocabularySize()
                        + " ids"
                        + (s.charBuckets() > 0
                            ? ", the last "
                                + s.charBuckets()
                                + " the buckets of hashed character trigrams of words outside"
                                + " the vocabulary"
                            : ""));
            case ModelInputs.IMAGE ->
                new Manifest.InputSpec(
                    input,
                    List.of(s.imageChannels(), s.imageHeight(), s.imageWidth()),
                    s.imageChannels() == 1
                        ? "grey pixels scaled to [0, 1], flattened row-major"
                        : "red, green and blue planes of pixels scaled to [0, 1], each row-major");
            case ModelInputs.IDS ->
                new Manifest.InputSpec(
                    input,
                    List.of(s.idColumns().size()),
                    "per identifier column the index of its id in the column's training vocabulary "
                        + "(0: unknown or missing), as a float: "
                        + idSizes(s));
            default ->
                new Manifest.InputSpec(
                    input,
                    List.of(s.modalities().size()),
                    "1 where the record has the modality: " + String.join(", ", s.modalities()));
          });
    }
    return in;
  }

  /** The pretrained vectors of the vocabulary's tokens in a prepared data set. */
  public static final String TEXT_VECTORS_FILE = "text-vectors.bin";

  /**
   * With {@code prep.text.vectors}, reads the vectors of the vocabulary's tokens and writes them
   * into {@code staging} ({@link #TEXT_VECTORS_FILE}), logging how many tokens have one; null
   * without.
   */
  private static WordVectors textVectors(
      Configuration hadoop, MtlConfig config, FeaturizerState state, Path staging)
      throws IOException {
    PrepConfig.TextFeatures text = config.prep().text();
    if (!text.hasVectors()) {
      return null;
    }
    long started = System.nanoTime();
    WordVectors vectors =
        WordVectors.read(
            hadoop, text.vectors(), text.vectorsFormat(), state.vocabulary(), text.lowercase());
    vectors.write(hadoop, new Path(staging, TEXT_VECTORS_FILE).toString());
    LOG.info(
        "word vectors: {} of the {} vocabulary tokens ({}) have a vector of {} values in {} ({});"
            + " the others start at random",
        vectors.covered(),
        vectors.tokens(),
        String.format("%.1f%%", 100.0 * vectors.covered() / Math.max(1, vectors.tokens())),
        vectors.dimension(),
        text.vectors(),
        elapsed(started));
    return vectors;
  }

  /** Each identifier column with its vocabulary size, e.g. {@code ratings.userId: 610 ids + 0}. */
  private static String idSizes(FeaturizerState s) {
    List<String> out = new ArrayList<>();
    for (int c = 0; c < s.idColumns().size(); c++) {
      out.add(s.idColumns().get(c) + ": " + s.idVocabularies().get(c).size() + " ids + 0");
    }
    return String.join(", ", out);
  }

  private static String elapsed(long started) {
    return String.format("%.1fs", (System.nanoTime() - started) / 1e9);
  }
}
