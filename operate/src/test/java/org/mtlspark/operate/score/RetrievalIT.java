package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.source.IdxFixture;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * The shipped retrieval configuration on small MultiMNIST-format files whose classes are bars at
 * known rows: each canvas (two items, left and shifted right) comes with a caption naming both
 * classes in one of four sentences, so that only a model that reads the image and the caption's
 * word order pairs them. With 100 class pairs among 200 test canvases, about two canvases fit each
 * caption: a perfect model finds the exact partner at rank 1 or 2, chance at rank 100.
 */
class RetrievalIT {
  static final int TRAIN = 1000;
  static final int TEST = 200;
  @TempDir static Path dir;
  static SparkSession spark;
  static EvaluateJob.Report report;
  static String run;
  static String scored;

  @BeforeAll
  static void prepareTrainEvaluateAndScore() throws IOException {
    spark = SharedSpark.get();
    IdxFixture.write(dir.resolve("idx"), TRAIN, TEST);
    MtlConfig config =
        ConfigLoader.load(
            List.of(SharedSpark.confDir().resolve("examples/multimnist-retrieval.yaml").toString()),
            List.of(
                "prep.batchSize=32",
                "model.imageFilters=[6]",
                "model.imageHidden=24",
                "model.trunk=[24]",
                "train.epochs=20",
                "train.selectionTolerance=0.01",
                "train.averagingFrequency=4",
                "train.learningRate=0.005"));
    String prep = dir.resolve("prep").toString();
    run = dir.resolve("run").toString();
    new PrepJob(spark).run(config, dir.resolve("idx").toString(), prep);
    new TrainJob(spark).run(config, prep, run);
    report = new EvaluateJob(spark).run(run, prep, "test", 2);
    System.out.println(EvaluateJob.table(report));
    scored = dir.resolve("scored").toString();
    new ScoreJob(spark).run(run, dir.resolve("idx").toString(), scored, ScoreJob.Format.PARQUET);
  }

  /** The classes of record {@code index} of the test file: left, right. */
  static int[] classes(int index, int count) {
    return new int[] {
      IdxFixture.label(index),
      IdxFixture.label(org.mtlspark.prep.source.MultiMnistReader.partner(index, count))
    };
  }

  @Test
  void captionsFindTheirCanvasesAndCanvasesTheirCaptionsFarAboveChance() {
    TaskMetrics match = report.tasks().get("match");
    assertEquals("recall_at_10", match.primaryMetric());
    assertEquals(TEST, match.examples(), "every test canvas has a caption: a pair");
    assertEquals(10.0 / TEST, match.baseline().get("recall_at_10"), 1e-12, "chance");
    assertEquals((TEST + 1) / 2.0, match.baseline().get("median_rank"), 1e-12);
    for (String direction : List.of("text_to_image_", "image_to_text_")) {
      double recall = match.metrics().get(direction + "recall_at_10");
      double median = match.metrics().get(direction + "median_rank");
      assertTrue(recall > 0.6, direction + "recall@10 " + recall + " (chance 0.05)");
      assertTrue(median < 8, direction + "median rank " + median + " (chance 100.5)");
    }
    assertTrue(match.beatsBaseline());
  }

  @Test
  void theClassificationTasksLearnBesideIt() {
    for (String task : List.of("left", "right")) {
      TaskMetrics m = report.tasks().get(task);
      assertTrue(m.metrics().get("accuracy") > 0.9, m.toString());
    }
  }

  @Test
  void scoringWritesEachSidesEmbeddingOfLengthOne() {
    List<Row> rows = spark.read().parquet(scored + "/predictions").collectAsList();
    assertEquals(TRAIN + TEST, rows.size());
    Row r = rows.get(0);
    List<Float> text = r.getList(r.fieldIndex("match_text"));
    List<Float> image = r.getList(r.fieldIndex("match_image"));
    assertEquals(32, text.size());
    assertEquals(32, image.size());
    double norm = 0;
    for (float v : image) {
      norm += v * v;
    }
    assertEquals(1.0, norm, 1e-4);
  }

  @Test
  void aTextQueryReturnsCanvasesWithItsClassesInPlace() throws IOException {
    RetrieveJob.Result r = byText("a three on the left and a seven on the right", 5);
    assertEquals("image", r.candidateSide());
    assertEquals(TRAIN + TEST, r.candidates());
    assertEquals(List.of(), r.unknownWords());
    assertEquals(5, r.hits().size());
    int right = 0;
    List<String> found = new java.util.ArrayList<>();
    for (RetrieveJob.Hit h : r.hits()) {
      String[] key = Keys.split(h.key());
      int index = Integer.parseInt(key[1]);
      int[] c = classes(index, key[0].equals("test") ? TEST : TRAIN);
      found.add(c[0] + "/" + c[1]);
      right += c[0] == 3 && c[1] == 7 ? 1 : 0;
    }
    assertTrue(
        right >= 4,
        right + " of the 5 nearest canvases show a three left, a seven right: " + found + " " + r);
    for (int i = 1; i < r.hits().size(); i++) {
      assertTrue(r.hits().get(i - 1).score() >= r.hits().get(i).score(), "best first");
    }
  }

  @Test
  void anImageQueryReturnsCaptionsOfItsClasses() throws IOException {
    // A canvas not in the data: a two on the left (index 2) and a five on the right (index 5).
    byte[] left = IdxFixture.image(12);
    byte[] right = IdxFixture.image(25);
    BufferedImage canvas = new BufferedImage(36, 36, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 36; y++) {
      for (int x = 0; x < 36; x++) {
        int a = y < 28 && x < 28 ? left[y * 28 + x] & 0xff : 0;
        boolean shifted = y >= 6 && x >= 6 && y - 6 < 28 && x - 6 < 28;
        int b = shifted ? right[(y - 6) * 28 + x - 6] & 0xff : 0;
        canvas.getRaster().setSample(x, y, 0, Math.max(a, b));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(canvas, "png", png);
    RetrieveJob.Result r =
        new RetrieveJob(spark)
            .run(run, scored, "match", RetrieveJob.Query.image(png.toByteArray(), "canvas.png"), 5);
    assertEquals("text", r.candidateSide());
    int right5 = 0;
    for (RetrieveJob.Hit h : r.hits()) {
      String[] key = Keys.split(h.key());
      int[] c = classes(Integer.parseInt(key[1]), key[0].equals("test") ? TEST : TRAIN);
      right5 += c[0] == 2 && c[1] == 5 ? 1 : 0;
    }
    assertTrue(
        right5 >= 4, right5 + " of the 5 nearest captions name a two left, a five right: " + r);
  }

  @Test
  void embeddingsScoredAsCsvRetrieveTheSameKeys() throws IOException {
    String csv = dir.resolve("scored-csv").toString();
    new ScoreJob(spark).run(run, dir.resolve("idx").toString(), csv, ScoreJob.Format.CSV);
    RetrieveJob.Query q = RetrieveJob.Query.text("left four right nine");
    RetrieveJob.Result fromCsv = new RetrieveJob(spark).run(run, csv, null, q, 3);
    RetrieveJob.Result fromParquet = new RetrieveJob(spark).run(run, scored, null, q, 3);
    assertEquals(
        fromParquet.hits().stream().map(RetrieveJob.Hit::key).toList(),
        fromCsv.hits().stream().map(RetrieveJob.Hit::key).toList());
    assertEquals(fromParquet.hits().get(0).score(), fromCsv.hits().get(0).score(), 1e-5);
  }

  @Test
  void aQueryOfAModalityTheTaskDoesNotPairOrAnUnknownTaskIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RetrieveJob(spark).run(run, scored, "left", RetrieveJob.Query.text("x"), 3));
    assertTrue(e.getMessage().contains("no retrieval task left"), e.getMessage());
  }

  @Test
  void aTextQueryNamesTheWordsTheModelNeverSawAndOneOfOnlySuchWordsIsRefused() throws IOException {
    RetrieveJob.Result r = byText("a three on the left and a zebra near the right", 3);
    assertEquals(List.of("zebra", "near"), r.unknownWords());
    assertEquals(3, r.hits().size());
    RetrieveJob.RetrieveException e =
        assertThrows(RetrieveJob.RetrieveException.class, () -> byText("zebra giraffe", 3));
    assertTrue(
        e.getMessage().contains("none of its words is in the model's vocabulary")
            && e.getMessage().contains("text \"zebra giraffe\""),
        e.getMessage());
  }

  /** The {@code k} nearest canvases of the scored folder to a caption. */
  static RetrieveJob.Result byText(String text, int k) throws IOException {
    return new RetrieveJob(spark).run(run, scored, null, RetrieveJob.Query.text(text), k);
  }
}
