package org.mtlspark.operate.score;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.source.Cells;
import org.mtlspark.prep.source.ImageFolderReader;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.RowCells;
import org.mtlspark.prep.source.RowInterpreter;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.workers.run.ModelFiles;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * A trained model as a Spark ML {@link Transformer}: {@link #transform} reads each row of a
 * DataFrame as one record holding the columns of every configured source (joined by the caller),
 * featurizes it with the featurizer state saved with the model (nothing is refit) and appends each
 * task's predictions, typed:
 *
 * <ul>
 *   <li>regression: {@code <task>_prediction}, a double in the label's units;
 *   <li>binary, multi-class and ordinal: {@code <task>_prediction}, the class, and {@code
 *       <task>_probability}, a vector (binary: both classes; multi-class: each class; ordinal: the
 *       probability of being above each class but the last);
 *   <li>multi-label: {@code <task>_prediction}, an array of the labels at 0.5 or more, and {@code
 *       <task>_probability}, a vector over the labels;
 *   <li>tokens: {@code <task>_prediction}, an array of tags, and {@code <task>_probability}, an
 *       array of each tag's probability;
 *   <li>caption: {@code <task>_prediction} (greedy) and {@code <task>_beam} (beam search);
 *   <li>retrieval: {@code <task>_<side>_embedding}, an array of floats of length 1 (null without
 *       that side);
 * </ul>
 *
 * and {@code mtl_status} (param {@code statusCol}): {@code scored}, {@code scored without SOURCE
 * (FIELD: REASON)} when a source's cells were rejected and the record was scored without them as
 * {@code score} would, or why the row was not scored (its predictions then null). A source of
 * format {@code images} reads its image from the column named as the source (the encoded bytes); an image column holds bytes or an absolute path or URI (there is no data root).
 *
 * <p>Loaded from a run folder of {@code train}, a registry version, or a folder this class wrote;
 * written with Spark ML's conventions ({@code metadata/} and the model's files under {@code
 * data/}), so that it is a stage of a {@code Pipeline} saved and loaded as any other.
 */
public final class MtlModel extends Transformer implements MLWritable {
  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The column of each row's status. */
  /** The column of each row's status. */
  private final Param<String> statusCol;

  private final String uid;
  private final transient TrainedModel model;

  private MtlModel(String uid, TrainedModel model) {
    this.uid = uid;
    this.model = model;
    // After the uid: a param takes its parent's uid when it is made.
    this.statusCol =
        new Param<>(this, "statusCol", "the column of each row's status (scored, or why not)");
    setDefault(statusCol, "mtl_status");
  }

  /**
   * The model in {@code path}: a run folder of {@code train}, a registry version, or a folder
   * written by {@link #write()}; read with the active SparkSession's Hadoop configuration.
   */
  public static MtlModel load(String path) throws IOException {
    return load(SparkSession.active(), path);
  }

  /** As {@link #load(String)}, with {@code spark}'s Hadoop configuration. */
  public static MtlModel load(SparkSession spark, String path) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    if (HadoopFiles.exists(hadoop, path + "/" + METADATA)) {
      return readSaved(hadoop, path);
    }
    return new MtlModel(
        Identifiable$.MODULE$.randomUID("MtlModel"), TrainedModel.read(hadoop, path));
  }

  /** Spark ML's reader of a saved model, as {@code Pipeline} loading calls it. */
  public static MLReader<MtlModel> read() {
    return new MLReader<>() {
      @Override
      public MtlModel load(String path) {
        try {
          return readSaved(sparkSession().sparkContext().hadoopConfiguration(), path);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  /** The folder the model was read from. */
  public String source() {
    return model.dir();
  }

  /** The column of each row's status (Spark ML finds a model's params by such methods). */
  public Param<String> statusCol() {
    return statusCol;
  }

  public MtlModel setStatusCol(String value) {
    set(statusCol, value);
    return this;
  }

  @Override
  public String uid() {
    return uid;
  }

  @Override
  public MtlModel copy(ParamMap extra) {
    return copyValues(new MtlModel(uid, model), extra);
  }

  @Override
  public StructType transformSchema(StructType schema) {
    for (SourceConfig src : model.config().data().sources()) {
      if (src.keyColumns(model.config().data().key()).contains(Keys.ROW)) {
        throw new IllegalArgumentException(
            "source "
                + src.name()
                + " is keyed by "
                + Keys.ROW
                + " (a row's file and line), which a DataFrame row has not: score the files"
                + " with `score`");
      }
    }
    List<String> have = Arrays.asList(schema.fieldNames());
    List<String> missing =
        interpreters(null).stream()
            .flatMap(i -> i.columns().stream())
            .distinct()
            .filter(c -> !have.contains(c))
            .toList();
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(
          "the DataFrame lacks column(s) "
              + missing
              + " that the model's sources read (its columns: "
              + have
              + ")");
    }
    StructType out = schema;
    for (StructField f : outputFields()) {
      if (have.contains(f.name())) {
        throw new IllegalArgumentException(
            "the DataFrame already has a column "
                + f.name()
                + ", which the model writes; drop or rename it first");
      }
      out = out.add(f);
    }
    return out;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType outSchema = transformSchema(dataset.schema());
    SparkSession spark = dataset.sparkSession();
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<byte[]> graph = jsc.broadcast(ModelFiles.forScoring(model.graph()));
    Scorer scorer =
        new Scorer(
            interpreters(conf),
            new RowCells(dataset.schema(), Arrays.asList(dataset.schema().fieldNames())),
            new RecordLayout(model.config()),
            model.state(),
            outputs(),
            model.config().data());
    var rows =
        dataset
            .toDF()
            .javaRDD()
            .mapPartitions(
                it -> {
                  ComputationGraph local =
                      ModelFiles.restore(graph.value(), "broadcast for scoring", false);
                  return new InBatches<>(it, ScoreJob.BATCH, batch -> scorer.rows(batch, local));
                });
    return spark.createDataFrame(rows, outSchema);
  }

  private ScoreJob.Outputs outputs() {
    MtlConfig config = model.config();
    return new ScoreJob.Outputs(
        model.state().tasks(),
        config.tasks(),
        config.data().key(),
        model.state().modalities(),
        true,
        ScoreJob.BEAM);
  }

  /** The columns appended, in order. */
  private List<StructField> outputFields() {
    List<StructField> fields = new ArrayList<>();
    DataType vector = SQLDataTypes.VectorType();
    for (TaskEncoding t : model.state().tasks()) {
      String p = t.name() + "_prediction";
      String prob = t.name() + "_probability";
      switch (t.type()) {
        case REGRESSION -> fields.add(DataTypes.createStructField(p, DataTypes.DoubleType, true));
        case BINARY, MULTICLASS, ORDINAL -> {
          fields.add(DataTypes.createStructField(p, DataTypes.StringType, true));
          fields.add(DataTypes.createStructField(prob, vector, true));
        }
        case MULTILABEL -> {
          fields.add(
              DataTypes.createStructField(
                  p, DataTypes.createArrayType(DataTypes.StringType, false), true));
          fields.add(DataTypes.createStructField(prob, vector, true));
        }
        case TOKENS -> {
          fields.add(
              DataTypes.createStructField(
                  p, DataTypes.createArrayType(DataTypes.StringType, false), true));
          fields.add(
              DataTypes.createStructField(
                  prob, DataTypes.createArrayType(DataTypes.DoubleType, false), true));
        }
        case CAPTION -> {
          fields.add(DataTypes.createStructField(p, DataTypes.StringType, true));
          fields.add(DataTypes.createStructField(t.name() + "_beam", DataTypes.StringType, true));
        }
        case RETRIEVAL -> {
          for (String side : t.classes()) {
            fields.add(
                DataTypes.createStructField(
                    t.name() + "_" + side + "_embedding",
                    DataTypes.createArrayType(DataTypes.FloatType, false),
                    true));
          }
        }
        default -> throw new IllegalStateException(t.type().toString());
      }
    }
    fields.add(DataTypes.createStructField($(statusCol), DataTypes.StringType, false));
    return fields;
  }

  /** Per source, how a row's cells become its values: the source's interpreter and the columns it reads. */
  private List<SourceCells> interpreters(SerializableConf conf) {
    MtlConfig config = model.config();
    DataConfig data = config.data();
    List<SourceCells> out = new ArrayList<>();
    for (SourceConfig src : data.sources()) {
      out.add(new SourceCells(src, RowInterpreter.of(config, src, conf, "").withOptionalLabels()));
    }
    return out;
  }

  /** A source's interpreter; a source of images reads its bytes from the column named as the source. */
  record SourceCells(SourceConfig source, RowInterpreter interpreter)
      implements java.io.Serializable {
    /** The cells the source reads: its required columns, and the bytes of an images source. */
    List<String> cells() {
      List<String> all = new ArrayList<>(interpreter.requiredColumns());
      if (source.format() == SourceConfig.Format.IMAGES) {
        all.add(ImageFolderReader.BYTES);
      }
      return all;
    }

    /** The DataFrame's columns the source reads. */
    List<String> columns() {
      return cells().stream().map(this::column).toList();
    }

    String column(String cell) {
      return cell.equals(ImageFolderReader.BYTES) ? source.name() : cell;
    }

    /**
     * The source's values in the row, or null when the source has no row for this record: every
     * column it reads but the key is null (the missing side of an outer join), or, for a source
     * that reads nothing but its key (labels, when scoring), a key cell is null.
     */
    ParsedRow<SourceValues> read(Cells cells, List<String> recordKey) {
      List<String> key = source.keyColumns(recordKey);
      boolean others = false;
      boolean any = false;
      for (String c : cells()) {
        if (!key.contains(c)) {
          others = true;
          any |= cells.get(column(c)) != null;
        }
      }
      if (!others) {
        any = key.stream().noneMatch(k -> !k.equals(Keys.ROW) && cells.get(k) == null);
      }
      return any
          ? interpreter.interpret("DataFrame row", 0, cell -> cells.get(column(cell)), "")
          : null;
    }
  }

  /** Turns one row into an example (or the reason it is none), and a batch's outputs into columns. */
  static final class Scorer implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final List<SourceCells> sources;
    private final RowCells cells;
    private final Featurizer featurizer;
    private final ScoreJob.Outputs outputs;
    private final boolean[] recordSource;
    private final boolean[] required;
    private final RecordLayout layout;
    private final List<String> recordKey;

    Scorer(
        List<SourceCells> sources,
        RowCells cells,
        RecordLayout layout,
        org.mtlspark.prep.feature.FeaturizerState state,
        ScoreJob.Outputs outputs,
        DataConfig data) {
      this.sources = sources;
      this.cells = cells;
      this.featurizer = new Featurizer(state, layout);
      this.outputs = outputs;
      this.layout = layout;
      this.recordKey = data.key();
      int n = sources.size();
      recordSource = new boolean[n];
      required = new boolean[n];
      for (int s = 0; s < n; s++) {
        recordSource[s] = data.isRecordSource(sources.get(s).source());
        required[s] = sources.get(s).source().missing() == SourceConfig.Missing.DROP;
      }
    }

    /** The row's example, or null with the reason in {@code status[0]}. */
    Example example(Row row, String[] status) {
      Cells c = cells.of(row);
      int n = sources.size();
      SourceValues[] values = new SourceValues[n];
      String key = null;
      List<String> rejected = new ArrayList<>();
      for (int s = 0; s < n; s++) {
        ParsedRow<SourceValues> parsed = sources.get(s).read(c, recordKey);
        if (parsed == null) {
          if (required[s]) {
            status[0] =
                "not scored: no row of source "
                    + sources.get(s).source().name()
                    + ", which is required";
            return null;
          }
        } else if (parsed.isOk()) {
          values[s] = parsed.value();
          if (key == null && recordSource[s]) {
            key = parsed.key();
          }
        } else {
          rejected.add(
              sources.get(s).source().name()
                  + " ("
                  + sources.get(s).column(parsed.reject().field())
                  + ": "
                  + parsed.reject().reason()
                  + ")");
          if (required[s]) {
            status[0] = "not scored: source " + rejected.get(rejected.size() - 1) + " is required";
            return null;
          }
        }
      }
      if (key == null) {
        // No source keyed by the whole key read a row: the key from the row's own key columns.
        List<String> parts = new ArrayList<>();
        for (String k : recordKey) {
          Object v = c.get(k);
          if (v == null || String.valueOf(v).isBlank()) {
            status[0] =
                "not scored: no value in key column "
                    + k
                    + (rejected.isEmpty() ? "" : "; " + String.join("; ", rejected));
            return null;
          }
          parts.add(String.valueOf(v).trim());
        }
        key = Keys.join(parts);
      }
      AlignedRecord record =
          new AlignedRecord(key, values, AlignedRecord.Status.USABLE, null, new int[2 * n]);
      if (!layout.anyFeatures(record)) {
        status[0] =
            "not scored: no source with features"
                + (rejected.isEmpty() ? "" : ": " + String.join("; ", rejected));
        return null;
      }
      status[0] = rejected.isEmpty() ? "scored" : "scored without " + String.join("; ", rejected);
      return featurizer.featurize(record);
    }

    /** The appended columns of a scored row (from score's columns of it) or of one not scored. */
    List<Object> columns(List<Object> flat, String status) {
      List<Object> out = new ArrayList<>();
      int at = 0;
      List<TaskEncoding> tasks = outputs.tasks();
      for (int t = 0; t < tasks.size(); t++) {
        TaskEncoding task = tasks.get(t);
        switch (task.type()) {
          case REGRESSION -> out.add(flat == null ? null : flat.get(at++));
          case BINARY -> {
            if (flat == null) {
              out.add(null);
              out.add(null);
            } else {
              double p = (Double) flat.get(at + 1);
              out.add(flat.get(at));
              out.add(Vectors.dense(1 - p, p));
              at += 2;
            }
          }
          case MULTICLASS, ORDINAL, MULTILABEL -> {
            if (flat == null) {
              out.add(null);
              out.add(null);
            } else {
              int width = task.width();
              double[] p = new double[width];
              for (int c = 0; c < width; c++) {
                p[c] = (Double) flat.get(at + 1 + c);
              }
              if (task.type() == org.mtlspark.config.TaskConfig.TaskType.MULTILABEL) {
                List<String> on = new ArrayList<>();
                for (int c = 0; c < width; c++) {
                  if (p[c] >= 0.5) {
                    on.add(task.classes().get(c));
                  }
                }
                out.add(seq(on));
              } else {
                out.add(flat.get(at));
              }
              out.add(Vectors.dense(p));
              at += 1 + width;
            }
          }
          case TOKENS -> {
            if (flat == null) {
              out.add(null);
              out.add(null);
            } else {
              String tags = (String) flat.get(at);
              String p = (String) flat.get(at + 1);
              out.add(seq(tags.isEmpty() ? List.of() : List.of(tags.split(" "))));
              List<Double> probabilities = new ArrayList<>();
              if (!p.isEmpty()) {
                for (String v : p.split(" ")) {
                  probabilities.add(Double.parseDouble(v));
                }
              }
              out.add(seq(probabilities));
              at += 2;
            }
          }
          case CAPTION -> {
            out.add(flat == null ? null : flat.get(at));
            out.add(flat == null ? null : flat.get(at + 1));
            at += flat == null ? 0 : 2;
          }
          case RETRIEVAL -> {
            for (int k = 0; k < 2; k++) {
              out.add(flat == null ? null : flat.get(at + k));
            }
            at += flat == null ? 0 : 2;
          }
          default -> throw new IllegalStateException(task.type().toString());
        }
      }
      out.add(status);
      return out;
    }

    /** The rows of a batch with their columns appended: those with an example scored in one pass. */
    List<Row> rows(List<Row> batch, ComputationGraph graph) {
      List<Example> examples = new ArrayList<>(batch.size());
      String[] status = new String[batch.size()];
      int[] exampleOf = new int[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        String[] why = new String[1];
        Example e = example(batch.get(i), why);
        exampleOf[i] = e == null ? -1 : examples.size();
        if (e != null) {
          examples.add(e);
        }
        status[i] = why[0];
      }
      List<List<Object>> scored =
          examples.isEmpty() ? List.of() : outputs.taskValues(graph, examples);
      List<Row> out = new ArrayList<>(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        Row in = batch.get(i);
        List<Object> values = new ArrayList<>(in.size() + 8);
        for (int c = 0; c < in.size(); c++) {
          values.add(in.get(c));
        }
        values.addAll(columns(exampleOf[i] < 0 ? null : scored.get(exampleOf[i]), status[i]));
        out.add(RowFactory.create(values.toArray()));
      }
      return out;
    }

    private static <T> Object seq(List<T> values) {
      return scala.collection.JavaConverters.asScalaBufferConverter(new ArrayList<>(values))
          .asScala()
          .toSeq();
    }
  }

  // Spark ML's layout of a saved stage: metadata/ (one JSON line) and, here, data/ with the model's
  // files.

  static final String METADATA = "metadata";
  static final String DATA = "data";

  @Override
  public MLWriter write() {
    MtlModel self = this;
    return new MLWriter() {
      @Override
      public void saveImpl(String path) {
        try {
          Configuration hadoop = sparkSession().sparkContext().hadoopConfiguration();
          ObjectNode meta = JSON.createObjectNode();
          meta.put("class", MtlModel.class.getName());
          meta.put("timestamp", System.currentTimeMillis());
          meta.put("sparkVersion", sparkSession().version());
          meta.put("uid", uid);
          meta.putObject("paramMap").put(statusCol.name(), self.$(statusCol));
          meta.putObject("defaultParamMap").put(statusCol.name(), "mtl_status");
          meta.put("source", model.dir());
          HadoopFiles.writeString(
              hadoop, path + "/" + METADATA + "/part-00000", JSON.writeValueAsString(meta) + "\n");
          // The files as they were loaded: the folder they came from may be the one replaced here.
          model.writeTo(hadoop, path + "/" + DATA);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  private static MtlModel readSaved(Configuration hadoop, String path) throws IOException {
    JsonNode meta;
    try {
      meta = JSON.readTree(HadoopFiles.readString(hadoop, path + "/" + METADATA + "/part-00000"));
    } catch (IOException e) {
      throw new IOException(
          path + ": not a saved " + MtlModel.class.getSimpleName() + ": " + e.getMessage(), e);
    }
    if (meta == null || !MtlModel.class.getName().equals(meta.path("class").asText())) {
      throw new IOException(
          path
              + "/"
              + METADATA
              + " describes "
              + (meta == null ? "nothing" : meta.path("class").asText("no class"))
              + ", not a "
              + MtlModel.class.getName());
    }
    MtlModel m =
        new MtlModel(meta.path("uid").asText(), TrainedModel.read(hadoop, path + "/" + DATA));
    for (Map.Entry<String, JsonNode> p : iterable(meta.path("paramMap").fields())) {
      if (p.getKey().equals(m.statusCol.name())) {
        m.setStatusCol(p.getValue().asText());
      }
    }
    return m;
  }

  private static <T> Iterable<T> iterable(Iterator<T> it) {
    return () -> it;
  }
}
