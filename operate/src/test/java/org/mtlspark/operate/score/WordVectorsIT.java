package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.train.TrainJob;

/**
 * Pretrained word vectors on Spark: reviews whose label is the sentiment of their words, and a
 * gzipped GloVe-style file that gives 8 values to every sentiment word and to "the" (the first
 * value the word's sentiment), none to "a" and "film". Prep keeps the vocabulary's vectors and
 * counts them; training frozen throughout keeps them in the saved model (the embedding takes the
 * vectors' width, not the configured one); fine-tuning after the first epoch moves them; the model
 * read back from its run folder scores the reviews.
 */
class WordVectorsIT {
  static final int RECORDS = 400;
  static final int WORDS = 30;
  static final int DIMENSION = 8;
  @TempDir static Path dir;
  static SparkSession spark;
  static String data;
  static String vectorsFile;
  static final Map<String, float[]> VECTORS = new HashMap<>();

  static String yaml(String vectors, int frozenEpochs) {
    return """
        data:
          key: [id]
          sources:
            - {name: reviews, format: csv, path: reviews.csv, text: review}
        tasks:
          - {name: sentiment, type: multiclass, source: reviews, column: label}
        prep:
          partitions: 2
          text: {vectors: "%s"}
        model:
          textEmbedding: 16
          trunk: [16]
        train:
          epochs: 3
          learningRate: 0.01
          pretrained: {frozenEpochs: %d, rateFactor: 0.5, scale: 1}
        """
        .formatted(vectors, frozenEpochs);
  }

  @BeforeAll
  static void writeReviewsAndVectors() throws IOException {
    spark = SharedSpark.get();
    Random r = new Random(11);
    StringBuilder csv = new StringBuilder("id,review,label\n");
    for (int i = 0; i < RECORDS; i++) {
      boolean good = r.nextBoolean();
      String prefix = good ? "great" : "awful";
      csv.append(i).append(",the film");
      for (int w = 0; w < 3; w++) {
        csv.append(' ').append(prefix).append(r.nextInt(WORDS)).append(" a");
      }
      csv.append(',').append(good ? "positive" : "negative").append('\n');
    }
    Path folder = Files.createDirectories(dir.resolve("data"));
    Files.writeString(folder.resolve("reviews.csv"), csv);
    data = folder.toString();

    for (int w = 0; w < WORDS; w++) {
      VECTORS.put("great" + w, vector(r, 1));
      VECTORS.put("awful" + w, vector(r, -1));
    }
    VECTORS.put("the", vector(r, 0));
    Path file = dir.resolve("vectors.6B.8d.txt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
        PrintStream lines = new PrintStream(out, false, StandardCharsets.UTF_8)) {
      lines.println("unrelated 1 2 3 4 5 6 7 8");
      VECTORS.forEach(
          (word, v) -> {
            lines.print(word);
            for (float x : v) {
              lines.print(" " + x);
            }
            lines.println();
          });
    }
    vectorsFile = file.toString();
  }

  static float[] vector(Random r, float sentiment) {
    float[] v = new float[DIMENSION];
    v[0] = sentiment;
    for (int d = 1; d < DIMENSION; d++) {
      v[d] = (float) (0.3 * r.nextGaussian());
    }
    return v;
  }

  /** The largest difference between a covered token's row and its vector; counts the rows. */
  static double largestDifference(ComputationGraph model, List<String> vocabulary, int[] rows) {
    var w = model.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W");
    double largest = 0;
    for (int t = 0; t < vocabulary.size(); t++) {
      float[] v = VECTORS.get(vocabulary.get(t));
      if (v != null) {
        rows[0]++;
        float[] row = w.getRow(TextVocabulary.FIRST_TOKEN + t).toFloatVector();
        for (int d = 0; d < DIMENSION; d++) {
          largest = Math.max(largest, Math.abs(row[d] - v[d]));
        }
      }
    }
    return largest;
  }

  @Test
  void frozenVectorsAreCountedKeptInTheSavedModelAndItScores() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(yaml(vectorsFile, 99), "vectors.yaml");
    String prep = dir.resolve("prep").toString();
    Manifest manifest = new PrepJob(spark).run(config, data, prep);
    List<String> vocabulary = manifest.featurizers().vocabulary();
    Manifest.TextVectors kept = manifest.textVectors();
    assertEquals(DIMENSION, kept.dimension());
    assertEquals(vocabulary.size(), kept.tokens());
    assertEquals(
        2 * WORDS + 3, vocabulary.size(), "the sentiment words, the, film, a: " + vocabulary);
    assertEquals(2 * WORDS + 1, kept.covered(), "all but film and a");
    assertTrue(Files.exists(dir.resolve("prep").resolve(kept.file())));

    String run = dir.resolve("frozen-run").toString();
    new TrainJob(spark).run(config, prep, run);
    ComputationGraph model = ModelFiles.read(new Configuration(), run + "/model.zip");
    assertEquals(
        DIMENSION,
        model.getLayer(GraphBuilder.TEXT_EMBEDDING).getParam("W").columns(),
        "the vectors' width, not model.textEmbedding's 16");
    int[] rows = {0};
    double moved = largestDifference(model, vocabulary, rows);
    assertEquals(2 * WORDS + 1, rows[0]);
    assertTrue(moved < 1e-4, "frozen throughout: the vectors moved by " + moved);

    EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, "test", 2);
    double accuracy = report.tasks().get("sentiment").metrics().get("accuracy");
    assertTrue(accuracy > 0.95, "the first value tells the sentiment: accuracy " + accuracy);

    String scored = dir.resolve("scored").toString();
    ScoreJob.Summary summary = new ScoreJob(spark).run(run, data, scored, ScoreJob.Format.PARQUET);
    assertEquals(RECORDS, summary.scored());
    assertEquals(RECORDS, spark.read().parquet(scored + "/predictions").count());
  }

  @Test
  void vectorsFineTunedAfterTheirFrozenEpochMove() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(yaml(vectorsFile, 1), "vectors.yaml");
    String prep = dir.resolve("tuned-prep").toString();
    Manifest manifest = new PrepJob(spark).run(config, data, prep);
    String run = dir.resolve("tuned-run").toString();
    new TrainJob(spark).run(config, prep, run);
    int[] rows = {0};
    double moved =
        largestDifference(
            ModelFiles.read(new Configuration(), run + "/model.zip"),
            manifest.featurizers().vocabulary(),
            rows);
    assertTrue(moved > 1e-3, "trained in epochs 2 and 3: the vectors moved by " + moved);
  }

  @Test
  void aMissingVectorsFileStopsPrepBeforeReadingTheData() {
    String absent = dir.resolve("glove.absent.txt").toString();
    MtlConfig config = ConfigLoader.fromYaml(yaml(absent, 0), "vectors.yaml");
    RuntimeException e =
        assertThrows(
            org.mtlspark.prep.source.PrepException.class,
            () -> new PrepJob(spark).run(config, data, dir.resolve("absent-prep").toString()));
    assertTrue(
        e.getMessage().contains("prep.text.vectors: no word vectors file")
            && e.getMessage().contains("glove.absent.txt"),
        e.getMessage());
    assertTrue(!Files.exists(dir.resolve("absent-prep")), "no output");
  }
}
