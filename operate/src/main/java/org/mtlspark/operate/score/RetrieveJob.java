package org.mtlspark.operate.score;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.ImageDecoder;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Cross-modal retrieval with a trained model: a query (a text, or an image file) is embedded by the
 * model's projection of its modality, and compared with the other side's embeddings that {@code
 * score} wrote for every key; the top k keys by cosine similarity come back, best first. The search
 * is exact: every candidate is compared, on the executors, and Spark keeps each partition's best k
 * and merges them.
 */
public final class RetrieveJob {
  private final SparkSession spark;

  public RetrieveJob(SparkSession spark) {
    this.spark = spark;
  }

  /** A query, a model or a scored folder that retrieval cannot work with; the message says why. */
  public static final class RetrieveException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RetrieveException(String message) {
      super(message);
    }
  }

  /** A query: a text or the bytes of an image file, and the modality it is of. */
  public record Query(String modality, String text, byte[] image, String describe) {
    public static Query text(String text) {
      return new Query(ModelInputs.TEXT, text, null, "text \"" + text + "\"");
    }

    public static Query image(byte[] bytes, String file) {
      return new Query(ModelInputs.IMAGE, null, bytes, "image " + file);
    }
  }

  /** One retrieved key (its key columns joined as the data's key is) and its cosine similarity. */
  public record Hit(String key, double score) implements Serializable {}

  /** What came back, and against what. */
  public record Result(
      String task,
      String querySide,
      String candidateSide,
      long candidates,
      List<String> keyColumns,
      List<Hit> hits,
      List<String> unknownWords) {}

  /**
   * The {@code k} keys of {@code scored} (an output folder of {@code score}, or its predictions
   * folder) whose embeddings of the other side of retrieval task {@code taskName} (null: the
   * model's only one) are nearest the query's.
   */
  public Result run(String modelDir, String scored, String taskName, Query query, int k)
      throws IOException {
    if (k < 1) {
      throw new RetrieveException("k must be >= 1, was " + k);
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    MtlConfig config =
        ConfigLoader.fromYaml(
            HadoopFiles.readString(hadoop, modelDir + "/" + RunFolder.CONFIG_FILE),
            modelDir + "/" + RunFolder.CONFIG_FILE);
    FeaturizerState state = Manifest.read(hadoop, modelDir).featurizers();
    int t = retrievalTask(state, taskName);
    TaskEncoding task = state.tasks().get(t);
    if (!task.classes().contains(query.modality())) {
      throw new RetrieveException(
          "retrieval task "
              + task.name()
              + " pairs "
              + task.classes()
              + "; a query of "
              + query.modality()
              + " has no projection in it");
    }
    List<String> unknown = unknownWords(state, query);
    String other = task.classes().get(1 - task.classes().indexOf(query.modality()));
    float[] q = embed(EvaluateJob.loadModel(hadoop, modelDir), state, config, t, query);
    String summary = scored + "/" + ScoreJob.SUMMARY_FILE;
    boolean folderOfScore = HadoopFiles.exists(hadoop, summary);
    String predictions = folderOfScore ? scored + "/predictions" : scored;
    boolean csv =
        folderOfScore
            && "csv"
                .equals(
                    new org.nd4j.shade.jackson.databind.ObjectMapper()
                        .readTree(HadoopFiles.readString(hadoop, summary))
                        .path("format")
                        .asText());
    JobLabels.describe(spark, "retrieve", "top " + k + " of " + predictions);
    Dataset<Row> frame =
        csv
            ? spark.read().option("header", "true").csv(predictions)
            : spark.read().parquet(predictions);
    String column = ScoreJob.Outputs.embeddingColumn(task.name(), other);
    if (!Arrays.asList(frame.columns()).contains(column)) {
      throw new RetrieveException(
          predictions
              + " has no column "
              + column
              + ": give the output of `score` with this model (its columns: "
              + String.join(", ", frame.columns())
              + ")");
    }
    List<String> keys = config.data().key();
    boolean arrays = frame.schema().apply(column).dataType() instanceof ArrayType;
    Dataset<Row> candidates = frame.filter(frame.col(column).isNotNull());
    long count = candidates.count();
    List<Hit> hits =
        candidates
            .select(
                java.util.stream.Stream.concat(keys.stream(), java.util.stream.Stream.of(column))
                    .map(frame::col)
                    .toArray(org.apache.spark.sql.Column[]::new))
            .javaRDD()
            .map(
                row ->
                    new Hit(
                        key(row, keys.size()),
                        dot(
                            q,
                            arrays ? row.getList(keys.size()) : row.getString(keys.size()),
                            arrays)))
            .takeOrdered(k, new ByScore());
    return new Result(task.name(), query.modality(), other, count, keys, hits, unknown);
  }

  /** Best first; equal scores by key, so that the order is the same every run. */
  static final class ByScore implements Comparator<Hit>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public int compare(Hit a, Hit b) {
      int byScore = Double.compare(b.score(), a.score());
      return byScore != 0 ? byScore : a.key().compareTo(b.key());
    }
  }

  private static String key(Row row, int columns) {
    String[] parts = new String[columns];
    for (int c = 0; c < columns; c++) {
      parts[c] = String.valueOf(row.get(c));
    }
    return Keys.join(Arrays.asList(parts));
  }

  /** The dot product of the query with an embedding: a float array, or in CSV a string. */
  static double dot(float[] q, Object embedding, boolean arrays) {
    double sum = 0;
    if (arrays) {
      List<?> v = (List<?>) embedding;
      checkWidth(q, v.size());
      for (int j = 0; j < q.length; j++) {
        sum += q[j] * ((Number) v.get(j)).doubleValue();
      }
      return sum;
    }
    String[] v = ((String) embedding).split(" ");
    checkWidth(q, v.length);
    for (int j = 0; j < q.length; j++) {
      sum += q[j] * Double.parseDouble(v[j]);
    }
    return sum;
  }

  private static void checkWidth(float[] q, int width) {
    if (width != q.length) {
      throw new RetrieveException(
          "an embedding of "
              + width
              + " values against a query of "
              + q.length
              + ": the embeddings were scored with another model");
    }
  }

  /** The index of the retrieval task called {@code name}, or of the only one when null. */
  static int retrievalTask(FeaturizerState state, String name) {
    List<String> retrieval = new ArrayList<>();
    for (TaskEncoding t : state.tasks()) {
      if (t.retrieval()) {
        retrieval.add(t.name());
      }
    }
    if (retrieval.isEmpty()) {
      throw new RetrieveException("the model has no retrieval task (tasks[].type: retrieval)");
    }
    if (name == null && retrieval.size() > 1) {
      throw new RetrieveException(
          "the model has the retrieval tasks " + retrieval + ": name one with --task");
    }
    String wanted = name == null ? retrieval.get(0) : name;
    for (int t = 0; t < state.tasks().size(); t++) {
      if (state.tasks().get(t).name().equals(wanted) && state.tasks().get(t).retrieval()) {
        return t;
      }
    }
    throw new RetrieveException("no retrieval task " + wanted + "; the model's: " + retrieval);
  }

  /**
   * The distinct words of a text query that the model's vocabulary lacks (read as the unknown id,
   * or as their shape or character trigrams where prep was set so). A text none of whose words
   * the model knows is refused: its embedding would say nothing about it.
   */
  static List<String> unknownWords(FeaturizerState state, Query query) {
    if (query.text() == null || !state.has(ModelInputs.TEXT)) {
      return List.of();
    }
    TextVocabulary vocabulary = state.textVocabulary();
    List<String> words = vocabulary.tokensOf(query.text());
    List<String> unknown = words.stream().filter(w -> !vocabulary.contains(w)).distinct().toList();
    if (!vocabulary.hasCharBuckets() && unknown.size() == words.stream().distinct().count()) {
      throw new RetrieveException(
          query.describe()
              + (words.isEmpty()
                  ? " has no words"
                  : ": none of its words is in the model's vocabulary ("
                      + vocabulary.tokens().size()
                      + " training words, e.g. "
                      + String.join(
                          ", ",
                          // words, not word pairs (prep.text.ngrams: 2)
                          vocabulary.tokens().stream()
                              .filter(w -> !w.contains(" "))
                              .limit(8)
                              .toList())
                      + ")")
              + "; its embedding would be that of any unknown text");
    }
    return unknown;
  }

  /**
   * The query's embedding (length 1): a record with only the query's modality, featurized as prep
   * featurizes one (the text cut and looked up in the model's vocabulary, the image turned grey and
   * resized), through the model, its side of the task's output.
   */
  static float[] embed(
      ComputationGraph graph, FeaturizerState state, MtlConfig config, int t, Query query) {
    boolean hasText = state.has(ModelInputs.TEXT);
    float[] tokens = new float[hasText ? state.maxTokens() : 0];
    float[] tokenMask = new float[tokens.length];
    float[] pixels = new float[state.has(ModelInputs.IMAGE) ? state.imageValues() : 0];
    float[] presence = new float[state.modalities().size()];
    presence[state.modalities().indexOf(query.modality())] = 1;
    if (hasText) {
      if (query.text() != null) {
        TextVocabulary vocabulary = state.textVocabulary();
        vocabulary.encodeTokens(
            vocabulary.tokensOf(query.text()), state.maxTokens(), tokens, tokenMask);
      } else {
        TextVocabulary.encodeNoText(tokens, tokenMask);
      }
    }
    if (query.image() != null) {
      byte[] grey;
      try {
        ImageDecoder.checkSize(query.image(), config.prep().image().maxBytes());
        grey =
            ImageDecoder.pixels(
                query.image(),
                state.imageWidth(),
                state.imageHeight(),
                state.imageChannels(),
                config.prep().image().maxPixels());
      } catch (IllegalArgumentException e) {
        throw new RetrieveException(query.describe() + ": " + e.getMessage());
      }
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (grey[i] & 0xff) / 255f;
      }
    }
    List<TaskEncoding> tasks = state.tasks();
    float[][] labels = new float[tasks.size()][];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = new float[tasks.get(i).labelWidth(state.maxTokens())];
    }
    Example example =
        new Example(
            "query",
            new float[state.has(ModelInputs.TABULAR) ? state.tabularWidth() : 0],
            tokens,
            tokenMask,
            pixels,
            new float[state.has(ModelInputs.IDS) ? state.idColumns().size() : 0],
            presence,
            labels,
            new float[tasks.size()]);
    var batch = BatchBuilder.build(List.of(example), BatchBuilder.perToken(tasks));
    INDArray out = graph.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays(), null)[t];
    return ScoreJob.Outputs.unitSide(out, 0, tasks.get(t).classes().indexOf(query.modality()));
  }
}
