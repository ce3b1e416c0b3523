package org.mtlspark.operate.score;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.AlignedSources;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.StagingFolder;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.SparkSources;
import org.mtlspark.workers.run.ModelFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a trained model (a run folder or a registry version: {@code model.zip},
 * {@code manifest.json}, {@code config.yaml}) to new raw data on Spark. The sources are read,
 * validated and aligned exactly as prep does, with the model's configuration; labels are optional
 * and a source holding only labels may be absent. Each record is featurized with the featurizer
 * state saved in the model's manifest (nothing is refit) and scored.
 *
 * <p>Output, written to a hidden folder and renamed when complete: {@code predictions/} (Parquet or
 * CSV, one row per key: the key columns, then per task its prediction and probabilities),
 * {@code rejects/} (as in prep) and {@code score.json} (what was read, scored, and left out why).
 */
public final class ScoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);
  public static final String SUMMARY_FILE = "score.json";
  static final int BATCH = 256;

  /** How predictions are written. */
  public enum Format {
    PARQUET,
    CSV
  }

  /** The content of score.json. */
  public record Summary(
      String model,
      String data,
      String format,
      long records,
      long scored,
      Map<String, Long> recordStatus,
      long rejected,
      Map<String, Long> rejectsByReason,
      List<String> columns,
      String modelVersion,
      String predictions) {}

  private final SparkSession spark;

  public ScoreJob(SparkSession spark) {
    this.spark = spark;
  }

  /** The widest beam a caption task's beam search may keep. */
  public static final int MAX_BEAM = 32;

  /** The beam of a caption task's beam search when none is given. */
  public static final int BEAM = 4;

  public Summary run(String modelDir, String dataRoot, String out, Format format)
      throws IOException {
    return run(modelDir, dataRoot, out, format, BEAM);
  }

  /**
   * Scores {@code dataRoot} with the model in {@code modelDir} into {@code out}; a caption task's
   * beam search keeps {@code beam} captions.
   */
  public Summary run(String modelDir, String dataRoot, String out, Format format, int beam)
      throws IOException {
    return run(modelDir, dataRoot, out, format, beam, Map.of(), null);
  }

  /**
   * As {@link #run(String, String, String, Format, int)}; {@code where} replaces the conditions of
   * table and spark sources by name (the new partition to score), and a {@code sink} (or null)
   * takes the predictions instead of {@code predictions/} in {@code out}, which then holds {@code
   * score.json} and {@code rejects/}.
   */
  public Summary run(
      String modelDir,
      String dataRoot,
      String out,
      Format format,
      int beam,
      Map<String, String> where,
      ScoreSink sink)
      throws IOException {
    if (sink != null && format != Format.PARQUET) {
      throw new IllegalArgumentException("a table or path of predictions is written as Parquet");
    }
    if (beam < 1 || beam > MAX_BEAM) {
      throw new IllegalArgumentException("the beam is in [1, " + MAX_BEAM + "], was " + beam);
    }
    long started = System.nanoTime();
    JobLabels.describe(spark, "score", dataRoot + " with " + modelDir);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(hadoop);
    HadoopFiles.checkNewOutput(hadoop, out);
    TrainedModel trained = TrainedModel.read(hadoop, modelDir);
    MtlConfig config = where.isEmpty() ? trained.config() : trained.config().withWhere(where);
    if (dataRoot.isEmpty()) {
      for (var src : config.data().sources()) {
        if (!src.path().isBlank() && !new Path(src.path()).isAbsolute()) {
          throw new IOException(
              "source "
                  + src.name()
                  + " of the model reads "
                  + src.path()
                  + " under the data root: give the data root (--data)");
        }
      }
    }
    if (sink != null) {
      sink.check(spark);
    }
    String version = modelVersion(hadoop, modelDir);
    FeaturizerState state = trained.state();
    ComputationGraph graph = trained.graph();
    Path staging = StagingFolder.beside(target);
    try {
      AlignedSources in =
          AlignedSources.read(spark, config, dataRoot, staging, AlignedSources.Mode.SCORE);
      Featurizer featurizer = new Featurizer(state, in.layout());
      JavaRDD<AlignedRecord> scorable = in.examples();
      List<String> keyColumns = config.data().key();
      Outputs outputs =
          new Outputs(
              state.tasks(),
              config.tasks(),
              keyColumns,
              state.modalities(),
              format == Format.PARQUET,
              beam);
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      Broadcast<byte[]> model = jsc.broadcast(ModelFiles.forScoring(graph));
      JavaRDD<Row> rows =
          scorable.mapPartitions(
              records -> {
                ComputationGraph local =
                    ModelFiles.restore(model.value(), "broadcast for scoring", false);
                return new InBatches<>(
                    records,
                    BATCH,
                    batch -> {
                      List<Example> examples = new ArrayList<>(batch.size());
                      batch.forEach(r -> examples.add(featurizer.featurize(r)));
                      List<List<Object>> values = outputs.taskValues(local, examples);
                      List<Row> scored = new ArrayList<>(batch.size());
                      for (int i = 0; i < examples.size(); i++) {
                        List<Object> row =
                            new ArrayList<>(List.of((Object[]) Keys.split(examples.get(i).key())));
                        row.addAll(values.get(i));
                        scored.add(RowFactory.create(row.toArray()));
                      }
                      return scored;
                    });
              });
      String predictions = new Path(staging, "predictions").toString();
      var frame = spark.createDataFrame(rows, outputs.schema());
      switch (format) {
        case PARQUET -> frame.write().parquet(predictions);
        case CSV -> frame.write().option("header", "true").csv(predictions);
      }
      long scored =
          spark
              .read()
              .format(format == Format.PARQUET ? "parquet" : "csv")
              .option("header", "true")
              .load(predictions)
              .count();
      model.destroy();
      Manifest.Counts counts = in.counts();
      Summary summary =
          new Summary(
              modelDir,
              dataRoot,
              format.name().toLowerCase(),
              counts.records(),
              scored,
              counts.recordStatus(),
              counts.rejected(),
              counts.rejectsByReason(),
              List.of(outputs.schema().fieldNames()),
              version,
              sink == null ? target + "/predictions" : sink.describe());
      HadoopFiles.writeString(
          hadoop,
          new Path(staging, SUMMARY_FILE).toString(),
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(summary));
      if (sink != null) {
        // Everything of --out is ready first, and --out still free: once rows reach the sink,
        // only the rename is left.
        HadoopFiles.checkNewOutput(hadoop, out);
        if (scored == 0) {
          LOG.warn("scored no records: nothing written to {}", sink.describe());
        } else {
          sink.write(
              spark,
              spark.read().parquet(predictions),
              keyColumns.size(),
              ScoreSink.keyTypes(keyColumns, sourceSchemas(config, dataRoot)),
              version);
        }
        fs.delete(new Path(predictions), true);
      }
      HadoopFiles.renameOrFail(fs, staging, target);
      in.unpersist();
      LOG.info(
          "scored {} of {} records with {} into {} ({}; rejected source rows: {}) in {}",
          scored,
          counts.records(),
          modelDir,
          target,
          counts.recordStatus(),
          counts.rejected(),
          String.format("%.1fs", (System.nanoTime() - started) / 1e9));
      return summary;
    } catch (IOException | RuntimeException | Error e) {
      StagingFolder.discard(spark, fs, staging, e);
      throw e;
    }
  }

  /**
   * What names the model in the rows it scores: {@code NAME@VERSION} for a registry version (from
   * its {@code version.json}), else the run folder's name; characters a partition folder's name
   * would escape are replaced by '_'.
   */
  static String modelVersion(Configuration hadoop, String modelDir) throws IOException {
    String file = modelDir + "/version.json";
    String version = new Path(modelDir).getName();
    if (HadoopFiles.exists(hadoop, file)) {
      var v = new ObjectMapper().readTree(HadoopFiles.readString(hadoop, file));
      if (v != null && v.hasNonNull("name") && v.hasNonNull("version")) {
        version = v.get("name").asText() + "@" + v.get("version").asText();
      }
    }
    return version.replaceAll("[\\x00-\\x1F\"#%'*/:=?\\\\{}\\[\\]^]", "_");
  }

  /**
   * The schemas of the sources Spark reads with types (Parquet, table and spark sources), those
   * that are there (a source of labels alone may be absent).
   */
  private List<StructType> sourceSchemas(MtlConfig config, String dataRoot) throws IOException {
    List<StructType> schemas = new ArrayList<>();
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    for (var src : config.data().sources()) {
      if (src.format().bySpark() && SparkSources.exists(spark, src)) {
        schemas.add(SparkSources.frame(spark, src, dataRoot).schema());
      } else if (src.format() == org.mtlspark.config.SourceConfig.Format.PARQUET
          && HadoopFiles.sourceExists(hadoop, HadoopFiles.resolve(dataRoot, src.path()))) {
        schemas.add(spark.read().parquet(HadoopFiles.resolve(dataRoot, src.path())).schema());
      }
    }
    return schemas;
  }

  /**
   * The output columns: the key columns, then per task: regression, its value; binary, the class
   * and {@code <task>_probability} of the second class; multi-class, the class and
   * {@code <task>_p_<class>} per class; ordinal, the class (the number of cumulative outputs at 0.5
   * or more) and {@code <task>_p_above_<class>} per class but the last; multi-label, the labels at
   * probability 0.5 or more (joined by the task's separator) and {@code <task>_p_<label>} per label;
   * tokens, the tag of each token of the text (joined by spaces; a text longer than the model's
   * token positions is tagged on those) and {@code <task>_p}, each tag's probability (joined by
   * spaces, to 4 decimals); retrieval, {@code <task>_<modality>} per side: the record's embedding
   * of that side (length 1, so that a dot product is the cosine similarity), null where the record
   * lacks the modality; a Parquet array of floats, in CSV the values joined by spaces; caption, the
   * caption written greedily and {@code <task>_beam}, the one beam search finds (words joined by
   * spaces; never the record's own text, which the decoder does not read).
   */
  static final class Outputs implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final List<TaskEncoding> tasks;
    private final List<String> separators;
    private final List<String> keyColumns;
    private final List<String> modalities;
    private final boolean arrays;
    private final int beam;

    Outputs(
        List<TaskEncoding> tasks,
        List<TaskConfig> configs,
        List<String> keyColumns,
        List<String> modalities,
        boolean arrays,
        int beam) {
      this.beam = beam;
      this.tasks = List.copyOf(tasks);
      this.modalities = List.copyOf(modalities);
      this.arrays = arrays;
      this.separators =
          tasks.stream()
              .map(
                  t ->
                      configs.stream()
                          .filter(c -> c.name().equals(t.name()))
                          .map(TaskConfig::separator)
                          .findFirst()
                          .orElse("|"))
              .toList();
      this.keyColumns = List.copyOf(keyColumns);
    }

    StructType schema() {
      StructType s = new StructType();
      Set<String> used = new LinkedHashSet<>();
      for (String k : keyColumns) {
        s = s.add(unique(k, used), DataTypes.StringType, false);
      }
      for (TaskEncoding t : tasks) {
        switch (t.type()) {
          case REGRESSION -> s = s.add(unique(t.name(), used), DataTypes.DoubleType, false);
          case BINARY ->
              s =
                  s.add(unique(t.name(), used), DataTypes.StringType, false)
                      .add(unique(t.name() + "_probability", used), DataTypes.DoubleType, false);
          case ORDINAL -> {
            s = s.add(unique(t.name(), used), DataTypes.StringType, false);
            for (String c : t.classes().subList(0, t.width())) {
              s = s.add(unique(t.name() + "_p_above_" + c, used), DataTypes.DoubleType, false);
            }
          }
          case MULTICLASS, MULTILABEL -> {
            s = s.add(unique(t.name(), used), DataTypes.StringType, false);
            for (String c : t.classes()) {
              s = s.add(unique(t.name() + "_p_" + c, used), DataTypes.DoubleType, false);
            }
          }
          case TOKENS ->
              s =
                  s.add(unique(t.name(), used), DataTypes.StringType, false)
                      .add(unique(t.name() + "_p", used), DataTypes.StringType, false);
          case CAPTION ->
              s =
                  s.add(unique(t.name(), used), DataTypes.StringType, false)
                      .add(unique(t.name() + "_beam", used), DataTypes.StringType, false);
          case RETRIEVAL -> {
            for (String side : t.classes()) {
              s =
                  s.add(
                      unique(embeddingColumn(t.name(), side), used),
                      arrays
                          ? DataTypes.createArrayType(DataTypes.FloatType, false)
                          : DataTypes.StringType,
                      true);
            }
          }
          default -> throw new IllegalStateException(t.type().toString());
        }
      }
      return s;
    }

    /** The token positions an example's text takes (none for a record without text). */
    static int textTokens(Example example) {
      float[] tokens = example.tokens();
      if (tokens.length == 0 || tokens[0] == TextVocabulary.NO_TEXT) {
        return 0;
      }
      int n = 0;
      for (float m : example.tokenMask()) {
        n += m > 0 ? 1 : 0;
      }
      return n;
    }

    /** The column of a retrieval task's embeddings of one side. */
    public static String embeddingColumn(String task, String side) {
      return task + "_" + side;
    }

    /**
     * Side {@code side} (0 or 1) of row {@code row} of a retrieval task's output (the two sides'
     * projections side by side), scaled to length 1: what score writes and a query is compared by.
     */
    static float[] unitSide(INDArray output, int row, int side) {
      int d = (int) output.size(1) / 2;
      INDArray v =
          output.get(NDArrayIndex.point(row), NDArrayIndex.interval(side * d, (side + 1) * d));
      double norm = Math.max(1e-12, v.norm2Number().doubleValue());
      float[] unit = v.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatVector();
      for (int j = 0; j < unit.length; j++) {
        unit[j] /= norm;
      }
      return unit;
    }

    /** A unit embedding as a column value: a list of floats, or in CSV a string. */
    private Object embedding(float[] unit) {
      List<Float> list = new ArrayList<>(unit.length);
      StringBuilder text = new StringBuilder();
      for (int j = 0; j < unit.length; j++) {
        list.add(unit[j]);
        text.append(j == 0 ? "" : " ").append(unit[j]);
      }
      return arrays
          ? scala.collection.JavaConverters.asScalaBufferConverter(list).asScala().toSeq()
          : text.toString();
    }

    /** A column name Parquet and CSV both take: letters, digits and '_', never twice. */
    private static String unique(String name, Set<String> used) {
      String clean = name.replaceAll("[^A-Za-z0-9_]", "_");
      String candidate = clean;
      for (int i = 2; !used.add(candidate); i++) {
        candidate = clean + "_" + i;
      }
      return candidate;
    }

    /**
     * Per caption task of {@code graph} the captions of {@code batch}'s rows, greedy then by beam
     * search: [task][0 or 1][row]; null for the other tasks.
     */
    int[][][][] captions(ComputationGraph graph, MultiDataSet batch) {
      int[][][][] out = new int[tasks.size()][][][];
      for (int t = 0; t < tasks.size(); t++) {
        if (tasks.get(t).caption()) {
          int[][] greedy =
              org.mtlspark.workers.eval.CaptionDecoder.greedy(
                  graph, batch.getFeatures(), batch.getFeaturesMaskArrays(), t);
          // A beam of 1 is the greedy search: not run twice.
          out[t] =
              new int[][][] {
                greedy,
                beam == 1
                    ? greedy
                    : org.mtlspark.workers.eval.CaptionDecoder.beam(
                        graph, batch.getFeatures(), batch.getFeaturesMaskArrays(), t, beam)
              };
        }
      }
      return out;
    }

    /**
     * The tasks' columns of each of {@code examples}, scored by {@code graph} in one pass (and its
     * caption tasks' searches), as {@link #schema()} has them after the keys.
     */
    List<List<Object>> taskValues(ComputationGraph graph, List<Example> examples) {
      MultiDataSet mds = BatchBuilder.build(examples);
      INDArray[] out = graph.output(false, mds.getFeatures(), mds.getFeaturesMaskArrays(), null);
      int[][][][] captions = captions(graph, mds);
      List<List<Object>> values = new ArrayList<>(examples.size());
      for (int i = 0; i < examples.size(); i++) {
        values.add(taskValues(examples.get(i), out, captions, i));
      }
      return values;
    }

    /** The tasks' columns of row {@code i} of a batch's outputs, as {@link #schema()} has them after the keys. */
    List<Object> taskValues(Example example, INDArray[] out, int[][][][] captions, int i) {
      List<Object> values = new ArrayList<>();
      for (int t = 0; t < tasks.size(); t++) {
        TaskEncoding task = tasks.get(t);
        INDArray o = out[t];
        switch (task.type()) {
          case REGRESSION -> values.add(task.label(o.getDouble(i, 0)));
          case BINARY -> {
            double p = o.getDouble(i, 0);
            values.add(task.classes().get(p >= 0.5 ? 1 : 0));
            values.add(p);
          }
          case MULTICLASS -> {
            int best = 0;
            for (int c = 1; c < task.width(); c++) {
              if (o.getDouble(i, c) > o.getDouble(i, best)) {
                best = c;
              }
            }
            values.add(task.classes().get(best));
            for (int c = 0; c < task.width(); c++) {
              values.add(o.getDouble(i, c));
            }
          }
          case ORDINAL -> {
            int above = 0;
            for (int c = 0; c < task.width(); c++) {
              above += o.getDouble(i, c) >= 0.5 ? 1 : 0;
            }
            values.add(task.classes().get(above));
            for (int c = 0; c < task.width(); c++) {
              values.add(o.getDouble(i, c));
            }
          }
          case MULTILABEL -> {
            List<String> on = new ArrayList<>();
            for (int c = 0; c < task.width(); c++) {
              if (o.getDouble(i, c) >= 0.5) {
                on.add(task.classes().get(c));
              }
            }
            values.add(String.join(separators.get(t), on));
            for (int c = 0; c < task.width(); c++) {
              values.add(o.getDouble(i, c));
            }
          }
          case TOKENS -> {
            StringBuilder tags = new StringBuilder();
            StringBuilder probabilities = new StringBuilder();
            for (int at = 0; at < textTokens(example); at++) {
              int best = 0;
              for (int c = 1; c < task.width(); c++) {
                if (o.getDouble(i, c, at) > o.getDouble(i, best, at)) {
                  best = c;
                }
              }
              String gap = at == 0 ? "" : " ";
              tags.append(gap).append(task.classes().get(best));
              probabilities
                  .append(gap)
                  .append(String.format(java.util.Locale.ROOT, "%.4f", o.getDouble(i, best, at)));
            }
            values.add(tags.toString());
            values.add(probabilities.toString());
          }
          case CAPTION -> {
            values.add(org.mtlspark.workers.eval.CaptionDecoder.text(task, captions[t][0][i]));
            values.add(org.mtlspark.workers.eval.CaptionDecoder.text(task, captions[t][1][i]));
          }
          case RETRIEVAL -> {
            for (int k = 0; k < 2; k++) {
              String side = task.classes().get(k);
              values.add(
                  example.presence()[modalities.indexOf(side)] == 0
                      ? null
                      : embedding(unitSide(o, i, k)));
            }
          }
          default -> throw new IllegalStateException(task.type().toString());
        }
      }
      return values;
    }

    List<TaskEncoding> tasks() {
      return tasks;
    }

    String separator(int task) {
      return separators.get(task);
    }
  }
}
