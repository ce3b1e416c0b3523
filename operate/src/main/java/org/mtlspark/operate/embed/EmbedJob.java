package org.mtlspark.operate.embed;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.feature.Word2Vec;
import org.apache.spark.ml.feature.Word2VecModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.AlignedSources;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.StagingFolder;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.split.KeySplit;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Word vectors from the configured text source's texts: the sources are read and aligned as prep
 * reads them (rejects written aside, records without labels kept, since vectors need no labels),
 * each record of the chosen splits gives its text's tokens as prep cuts them ({@code
 * prep.text.split}, {@code prep.text.lowercase}), and Spark ML's {@link Word2Vec} (skip-gram with
 * hierarchical softmax, trained over the cluster's partitions) learns a vector per word seen at
 * least {@code minCount} times. The vectors are written in word2vec's binary or text format, most
 * frequent word first, so that {@code prep.text.vectors} (or any word2vec reader) takes them.
 *
 * <p>Output folder, which appears only when complete: {@code vectors.bin} or {@code vectors.txt},
 * {@code embed.json} (what was read and how the vectors were trained), and {@code rejects/} when a
 * source had rejects.
 */
public final class EmbedJob {
  private static final Logger LOG = LoggerFactory.getLogger(EmbedJob.class);

  /** The summary file of an embed output folder. */
  public static final String SUMMARY_FILE = "embed.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** How the vectors are written: word2vec's binary format or its text format. */
  public enum Format {
    BINARY("vectors.bin"),
    TEXT("vectors.txt");

    private final String file;

    Format(String file) {
      this.file = file;
    }

    /** The file name the vectors take in the output folder. */
    public String file() {
      return file;
    }
  }

  /**
   * How the vectors are trained: their {@code dimension}, the context {@code window} on each side,
   * the fewest occurrences a word needs ({@code minCount}), passes over the texts ({@code
   * iterations}), the partitions Spark ML trains in ({@code partitions}: more is faster and a little
   * less accurate), the records' splits whose texts are read, the file format and the seed.
   */
  public record Options(
      int dimension,
      int window,
      int minCount,
      int iterations,
      int partitions,
      Set<Split> splits,
      Format format,
      long seed) {
    public Options {
      splits = Set.copyOf(splits);
    }

    /** What is wrong with these options, or null: checked before any Spark work starts. */
    public String problem() {
      if (dimension < 1 || dimension > 4096) {
        return "--dimension must be in [1, 4096], was " + dimension;
      }
      if (window < 1 || window > 100) {
        return "--window must be in [1, 100], was " + window;
      }
      if (minCount < 1) {
        return "--min-count must be >= 1, was " + minCount;
      }
      if (iterations < 1 || iterations > 1000) {
        return "--iterations must be in [1, 1000], was " + iterations;
      }
      if (partitions < 1 || partitions > 10_000) {
        return "--partitions must be in [1, 10000], was " + partitions;
      }
      if (splits.isEmpty()) {
        return "--splits names no split: give any of train, validation, test";
      }
      return null;
    }
  }

  /**
   * What an embed run read and wrote: the text source, the vectors file (relative to the folder),
   * the records read, those of the chosen splits with text, their tokens, the distinct words and
   * those with a vector, the options, and the seconds it took.
   */
  public record Summary(
      String createdAt,
      String source,
      String file,
      String format,
      List<String> splits,
      long records,
      long texts,
      long tokens,
      long distinctWords,
      int words,
      int dimension,
      int window,
      int minCount,
      int iterations,
      int partitions,
      long seed,
      long rejected,
      double seconds) {}

  private final SparkSession spark;

  public EmbedJob(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * The problem with embedding the texts of {@code config}, or null: it needs a source with a text
   * column.
   */
  public static String problem(MtlConfig config) {
    return config.data().sources().stream().anyMatch(s -> !s.text().isEmpty())
        ? null
        : "no source has a text column (data.sources[].text): there is nothing to embed";
  }

  /** Trains vectors on the texts of the sources under {@code dataRoot}, into the new folder {@code out}. */
  public Summary run(MtlConfig config, String dataRoot, String out, Options options)
      throws IOException {
    long started = System.nanoTime();
    String problem = problem(config) != null ? problem(config) : options.problem();
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(hadoop);
    HadoopFiles.checkNewOutput(hadoop, out);
    Path staging = StagingFolder.beside(target);
    AlignedSources in = null;
    JavaRDD<List<String>> texts = null;
    try {
      JobLabels.describe(spark, "embed", "read and align sources");
      in = AlignedSources.read(spark, config, dataRoot, staging, AlignedSources.Mode.SCORE);
      RecordLayout layout = in.layout();
      String source = config.data().sources().get(layout.textSource()).name();
      SplitOrder order =
          new SplitOrder(
              KeySplit.of(config.prep().split(), config.data().key()), config.run().seed());
      Set<Split> splits = EnumSet.copyOf(options.splits());
      PrepConfig.TextFeatures text = config.prep().text();
      boolean whitespace = text.split() == PrepConfig.TextSplit.WHITESPACE;
      boolean keepCase = !text.lowercase();
      texts =
          in.examples()
              .filter(r -> layout.text(r) != null && splits.contains(order.split(r.key())))
              .map(r -> TextVocabulary.tokenize(layout.text(r), whitespace, keepCase))
              .filter(t -> !t.isEmpty())
              .persist(StorageLevel.MEMORY_AND_DISK_SER());

      JobLabels.describe(spark, "embed", "count words");
      JavaPairRDD<String, Long> counts =
          texts
              .flatMapToPair(
                  t -> {
                    List<Tuple2<String, Long>> out1 = new ArrayList<>(t.size());
                    for (String w : t) {
                      out1.add(new Tuple2<>(w, 1L));
                    }
                    return out1.iterator();
                  })
              .reduceByKey(Long::sum);
      // The records that are examples when scoring were counted while aligning.
      Map<String, Long> status = in.status();
      long records = status.getOrDefault("usable", 0L) + status.getOrDefault("no_labels", 0L);
      // Texts and tokens in one pass.
      long[] sizes =
          texts
              .map(t -> new long[] {1, t.size()})
              .fold(new long[2], (x, y) -> new long[] {x[0] + y[0], x[1] + y[1]});
      long textCount = sizes[0];
      long tokens = sizes[1];
      long distinct = counts.count();
      int minCount = options.minCount();
      Map<String, Long> kept = counts.filter(c -> c._2() >= minCount).collectAsMap();
      List<String> splitNames =
          Arrays.stream(Split.values()).filter(splits::contains).map(Split::id).toList();
      LOG.info(
          "{} texts of {} records in the splits {} ({} tokens, {} distinct words, {} seen at least {}"
              + " times)",
          textCount,
          records,
          splitNames,
          tokens,
          distinct,
          kept.size(),
          minCount);
      if (kept.isEmpty()) {
        throw new PrepException(
            "no word occurs "
                + minCount
                + " times in the "
                + textCount
                + " texts of source "
                + source
                + " in the splits "
                + splitNames
                + ": lower --min-count, or give more text");
      }

      JobLabels.describe(spark, "embed", "train word2vec");
      StructType schema =
          new StructType()
              .add("tokens", DataTypes.createArrayType(DataTypes.StringType, false), false);
      Dataset<Row> frame =
          spark.createDataFrame(
              texts.map(t -> RowFactory.create((Object) t.toArray(new String[0]))), schema);
      LOG.info(
          "training word2vec: {} values a word, window {}, {} iteration(s) in {} partition(s)",
          options.dimension(),
          options.window(),
          options.iterations(),
          options.partitions());
      Word2VecModel model =
          new Word2Vec()
              .setInputCol("tokens")
              .setVectorSize(options.dimension())
              .setWindowSize(options.window())
              .setMinCount(minCount)
              .setMaxIter(options.iterations())
              .setNumPartitions(options.partitions())
              .setSeed(options.seed())
              .fit(frame);
      List<Row> rows = model.getVectors().collectAsList();
      List<Map.Entry<String, float[]>> vectors = new ArrayList<>(rows.size());
      for (Row row : rows) {
        double[] v = ((Vector) row.get(1)).toArray();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
          f[i] = (float) v[i];
        }
        vectors.add(Map.entry(row.getString(0), f));
      }
      // Most frequent first, as word2vec writes them; ties by word, so the order is the data's.
      vectors.sort(
          Comparator.comparing((Map.Entry<String, float[]> e) -> -kept.getOrDefault(e.getKey(), 0L))
              .thenComparing(Map.Entry::getKey));
      try (OutputStream o =
          new BufferedOutputStream(
              fs.create(new Path(staging, options.format().file()), false), 1 << 16)) {
        write(vectors, options.dimension(), options.format(), o);
      }
      Summary summary =
          new Summary(
              Instant.now().toString(),
              source,
              options.format().file(),
              options.format().name().toLowerCase(),
              splitNames,
              records,
              textCount,
              tokens,
              distinct,
              vectors.size(),
              options.dimension(),
              options.window(),
              minCount,
              options.iterations(),
              options.partitions(),
              options.seed(),
              in.counts().rejected(),
              (System.nanoTime() - started) / 1e9);
      HadoopFiles.writeString(
          hadoop, new Path(staging, SUMMARY_FILE).toString(), JSON.writeValueAsString(summary));
      HadoopFiles.renameOrFail(fs, staging, target);
      LOG.info(
          "wrote {} vectors of {} values to {} ({})",
          vectors.size(),
          options.dimension(),
          new Path(target, options.format().file()),
          String.format("%.1fs", summary.seconds()));
      return summary;
    } catch (IOException | RuntimeException | Error e) {
      StagingFolder.discard(spark, fs, staging, e);
      throw e;
    } finally {
      if (texts != null) {
        texts.unpersist(false);
      }
      if (in != null) {
        in.unpersist();
      }
    }
  }

  /**
   * Writes {@code vectors} in word2vec's format: a header line with the count and the dimension,
   * then a line per word; in the binary format the word, a space, its values as little-endian
   * 32-bit floats and a newline, in the text format the word and its values separated by spaces.
   */
  static void write(
      List<Map.Entry<String, float[]>> vectors, int dimension, Format format, OutputStream out)
      throws IOException {
    out.write((vectors.size() + " " + dimension + "\n").getBytes(StandardCharsets.UTF_8));
    ByteBuffer floats = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    for (Map.Entry<String, float[]> e : vectors) {
      out.write(e.getKey().getBytes(StandardCharsets.UTF_8));
      if (format == Format.BINARY) {
        out.write(' ');
        floats.clear();
        for (float f : e.getValue()) {
          floats.putFloat(f);
        }
        out.write(floats.array());
      } else {
        StringBuilder line = new StringBuilder();
        for (float f : e.getValue()) {
          line.append(' ').append(f);
        }
        out.write(line.toString().getBytes(StandardCharsets.UTF_8));
      }
      out.write('\n');
    }
  }

  /** Reads the summary of an embed output folder. */
  public static Summary readSummary(Configuration hadoop, String dir) throws IOException {
    return JSON.readValue(
        HadoopFiles.readString(hadoop, new Path(dir, SUMMARY_FILE).toString()), Summary.class);
  }
}
