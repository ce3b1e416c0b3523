package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.source.IdxFixture;
import org.mtlspark.prep.source.MultiMnistReader;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * The shipped question-answering configuration on small MultiMNIST-format files whose classes are
 * bars at known rows: each canvas comes with one question of five kinds, whose answer needs the
 * image and the question. The model that reads both (the question attending over the image's
 * cells, as shipped) must answer far better than the same code reading the question alone or the
 * image alone; evaluation keeps where it looked in a few test canvases and the report draws them;
 * then {@code score} answers the test canvases' questions.
 */
class VisualQuestionsHeavyIT {
  static final int TRAIN = 2000;
  static final int TEST = 300;
  @TempDir static Path dir;
  static SparkSession spark;
  static final Map<String, TaskMetrics> answers = new HashMap<>();
  static EvaluateJob.Report spatial;
  static String prep;

  static final List<String> SETTINGS =
      List.of(
          "prep.batchSize=32",
          "model.imageFilters=[6]",
          "model.imageHidden=24",
          "model.trunk=[48, 24]",
          "train.epochs=12",
          "train.averagingFrequency=4",
          "train.learningRate=0.005");

  @BeforeAll
  static void prepareAndTrainTheThreeModels() throws IOException {
    spark = SharedSpark.get();
    IdxFixture.write(dir.resolve("idx"), TRAIN, TEST);
    prep = dir.resolve("prep").toString();
    new PrepJob(spark).run(config(null), dir.resolve("idx").toString(), prep);
    for (String fuse : new String[] {null, "text", "image"}) {
      String run = dir.resolve("run-" + fuse).toString();
      MtlConfig config = config(fuse);
      new TrainJob(spark).run(config, prep, run);
      EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, "test", 2);
      System.out.println((fuse == null ? "both" : fuse + " alone") + ":");
      System.out.println(EvaluateJob.table(report));
      answers.put(fuse == null ? "both" : fuse, report.tasks().get("answer"));
      if (fuse == null) {
        spatial = report;
      }
    }
  }

  static MtlConfig config(String fuse) {
    List<String> settings = new ArrayList<>(SETTINGS);
    if (fuse != null) {
      settings.add("model.fusion=concat");
      settings.add("model.fuse=[" + fuse + "]");
    }
    return ConfigLoader.load(
        List.of(SharedSpark.confDir().resolve("examples/multimnist-vqa.yaml").toString()),
        settings);
  }

  static double accuracy(String model) {
    return answers.get(model).metrics().get("accuracy");
  }

  @Test
  void readingTheQuestionAndTheImageAnswersFarBetterThanEitherAlone() {
    double both = accuracy("both");
    double question = accuracy("text");
    double image = accuracy("image");
    double baseline = answers.get("both").baseline().get("accuracy");
    assertEquals(TEST, answers.get("both").examples());
    // The question alone knows the kind and guesses the yes-or-no answers (about a third right
    // overall); the image alone knows the classes but not which question is asked.
    assertTrue(question < 0.45, "question alone " + question);
    assertTrue(image < 0.45, "image alone " + image);
    assertTrue(both > 0.65, "question and image " + both + " (baseline " + baseline + ")");
    assertTrue(
        both > Math.max(question, image) + 0.25,
        "both " + both + ", question " + question + ", image " + image);
  }

  @Test
  void evaluationKeepsWhereTheQuestionLookedAndTheReportDrawsIt() throws Exception {
    List<org.mtlspark.workers.eval.AttentionMap> maps = spatial.attention();
    assertEquals(org.mtlspark.workers.eval.AttentionMap.KEPT, maps.size());
    for (var m : maps) {
      // One conv with 2x2 pooling over 28x28 canvases: 14x14 cells; four heads as shipped.
      assertEquals(14, m.rows());
      assertEquals(14, m.columns());
      assertEquals(28 * 28, m.image().length);
      assertEquals(4, m.heads().length);
      for (float[] head : m.heads()) {
        double sum = 0;
        for (float w : head) {
          sum += w;
        }
        assertEquals(1.0, sum, 1e-4, "a head's weights over the cells");
      }
      // The question as the vocabulary reads it (the tokenizer drops the question mark).
      assertTrue(
          m.question()
              .matches(
                  "which digit is on the (left|right)|is the left digit larger than the right one"
                      + "|what is the sum of the two digits|is there an? [a-z]+"),
          m.question());
      assertTrue(m.answers().containsKey("answer") && m.truths().containsKey("answer"), "" + m);
    }
    // A model without spatial fusion has none.
    assertTrue(
        EvaluateJob.readReport(
                spark.sparkContext().hadoopConfiguration(), dir.resolve("run-text").toString())
            .attention()
            .isEmpty());
    String html = dir.resolve("report.html").toString();
    org.mtlspark.operate.report.RunReport.write(
        spark.sparkContext().hadoopConfiguration(),
        dir.resolve("run-null").toString(),
        null,
        null,
        html);
    String page = java.nio.file.Files.readString(Path.of(html));
    assertTrue(page.contains(maps.get(0).question()), "the first map's question");
    // Drawn: one canvas per map and head.
    String dom =
        org.mtlspark.operate.report.HeadlessChromium.run(
            org.mtlspark.operate.report.HeadlessChromium.path(),
            dir.resolve("chromium-profile"),
            "--dump-dom",
            Path.of(html));
    assertEquals(
        org.mtlspark.workers.eval.AttentionMap.KEPT * 4,
        dom.split("<canvas class=\"map\"", -1).length - 1,
        "attention canvases in the page");
  }

  @Test
  void scoringAnswersTheQuestionsOfNewCanvases() throws IOException {
    String scored = dir.resolve("scored").toString();
    new ScoreJob(spark)
        .run(
            dir.resolve("run-null").toString(),
            dir.resolve("idx").toString(),
            scored,
            ScoreJob.Format.PARQUET);
    int right = 0;
    int whichLeft = 0;
    int whichLeftRight = 0;
    List<Row> test =
        spark.read().parquet(scored + "/predictions").where("part = 'test'").collectAsList();
    assertEquals(TEST, test.size());
    for (Row row : test) {
      int index = Integer.parseInt(row.getAs("index"));
      int left = IdxFixture.label(index);
      int partner = IdxFixture.label(MultiMnistReader.partner(index, TEST));
      String[] qa = MultiMnistReader.question(index, left, partner);
      String predicted = row.getAs("answer");
      right += predicted.equals(qa[1]) ? 1 : 0;
      if (qa[0].equals("which digit is on the left ?")) {
        whichLeft++;
        whichLeftRight += predicted.equals(qa[1]) ? 1 : 0;
      }
    }
    assertTrue(right > 0.65 * TEST, right + " of " + TEST + " answered right");
    assertTrue(
        whichLeft > 20 && whichLeftRight > 0.8 * whichLeft,
        whichLeftRight + " of " + whichLeft + " left items named");
  }
}
