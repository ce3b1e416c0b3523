package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.source.IdxFixture;
import org.mtlspark.prep.source.MultiMnistReader;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * The shipped captioning configuration on small MultiMNIST-format files whose classes are bars at
 * known rows: each canvas's description names both classes in one of four word orders, chosen by
 * the pair. Trained from a clean start, the model must write the test canvases' descriptions word
 * for word far more often than the likeliest training description could; evaluation measures the
 * nearest-training-image baseline beside it, and {@code score} writes the greedy and the beam
 * search's descriptions of new canvases without reading theirs.
 */
class CaptionsIT {
  static final int TRAIN = 2000;
  static final int TEST = 300;
  @TempDir static Path dir;
  static SparkSession spark;
  static EvaluateJob.Report report;
  static String run;

  @BeforeAll
  static void prepareAndTrain() throws IOException {
    spark = SharedSpark.get();
    IdxFixture.write(dir.resolve("idx"), TRAIN, TEST);
    String prep = dir.resolve("prep").toString();
    run = dir.resolve("run").toString();
    MtlConfig config =
        ConfigLoader.load(
            List.of(SharedSpark.confDir().resolve("examples/multimnist-caption.yaml").toString()),
            List.of(
                "prep.batchSize=32",
                "model.imageFilters=[6]",
                "model.imageHidden=24",
                "model.trunk=[24]",
                "model.textHidden=32",
                "train.epochs=10",
                "train.averagingFrequency=4",
                "train.learningRate=0.005"));
    new PrepJob(spark).run(config, dir.resolve("idx").toString(), prep);
    new TrainJob(spark).run(config, prep, run);
    report = new EvaluateJob(spark).run(run, prep, "test", 2);
    System.out.println(EvaluateJob.table(report));
  }

  /** The true description of test canvas {@code index}. */
  static String truth(int index) {
    return MultiMnistReader.description(
        IdxFixture.label(index),
        IdxFixture.label(MultiMnistReader.partner(index, TEST)),
        SourceConfig.Items.DIGITS);
  }

  /** The share of test canvases whose description is the likeliest one of the training split. */
  static double likeliestDescriptionsShare() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < TRAIN - TRAIN / 10; i++) {
      String d =
          MultiMnistReader.description(
              IdxFixture.label(i),
              IdxFixture.label(MultiMnistReader.partner(i, TRAIN)),
              SourceConfig.Items.DIGITS);
      counts.merge(d, 1, Integer::sum);
    }
    String likeliest =
        counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    int same = 0;
    for (int i = 0; i < TEST; i++) {
      same += truth(i).equals(likeliest) ? 1 : 0;
    }
    return (double) same / TEST;
  }

  @Test
  void theModelWritesTheDescriptionsWordForWordAndTheNearestImageIsMeasuredBesideIt() {
    TaskMetrics d = report.tasks().get("description");
    assertEquals(TEST, d.examples());
    assertEquals("bleu4", d.primaryMetric());
    double exact = d.metrics().get("exact_match");
    double likeliest = likeliestDescriptionsShare();
    assertTrue(likeliest < 0.1, "the likeliest description fits " + likeliest);
    assertTrue(exact > 0.8, "exact match " + exact + " (likeliest description " + likeliest + ")");
    assertTrue(d.metrics().get("bleu4") > 0.9, "BLEU-4 " + d.metrics());
    double nearest = d.baseline().get("bleu4");
    assertTrue(nearest > 0 && nearest <= 1, "nearest training image's BLEU-4 " + d.baseline());
    // The classes are two more tasks on the same image encoder.
    assertTrue(report.tasks().get("left").metrics().get("accuracy") > 0.9, "" + report.tasks());
  }

  @Test
  void scoringWritesGreedyAndBeamDescriptionsWithoutReadingTheData() throws IOException {
    String scored = dir.resolve("scored").toString();
    new ScoreJob(spark).run(run, dir.resolve("idx").toString(), scored, ScoreJob.Format.PARQUET, 3);
    List<Row> test =
        spark.read().parquet(scored + "/predictions").where("part = 'test'").collectAsList();
    assertEquals(TEST, test.size());
    int greedy = 0;
    int beam = 0;
    for (Row row : test) {
      String truth = truth(Integer.parseInt(row.getAs("index")));
      // The tokenizer drops the comma of the fourth form.
      String words = truth.replace(" ,", "");
      greedy += words.equals(row.getAs("description")) ? 1 : 0;
      beam += words.equals(row.getAs("description_beam")) ? 1 : 0;
    }
    assertTrue(greedy > 0.8 * TEST, greedy + " greedy descriptions right of " + TEST);
    assertTrue(beam > 0.8 * TEST, beam + " beam descriptions right of " + TEST);
  }
}
