package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.PrepConfig.VectorsFormat;
import org.mtlspark.operate.embed.EmbedJob;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.WordVectors;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.prep.split.Split;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;

/**
 * `embed` on Spark, over texts whose answer is known: notes about pets ("my cat ate the fish then
 * slept") and about vehicles ("my truck drove on the road then stopped"), a third of them labelled
 * with their topic, the rest unlabelled. Cat and dog share every context, as do car and truck, so
 * their vectors must be closer to each other than across topics. A word only in test-split texts
 * and a word seen once get no vector. The vectors then start a model's frozen text embedding
 * through prep, training and evaluation.
 */
class EmbedIT {
  static final int RECORDS = 900;
  static final int TEST_RECORDS = 100;
  @TempDir static Path dir;
  static SparkSession spark;
  static String data;

  static final String[] PETS = {"cat", "dog"};
  static final String[] PET_VERBS = {"ate", "chewed", "licked"};
  static final String[] PET_THINGS = {"fish", "meat", "bone"};
  static final String[] PET_ENDS = {"slept", "played", "purred"};
  static final String[] CARS = {"car", "truck"};
  static final String[] CAR_VERBS = {"drove", "raced", "parked"};
  static final String[] CAR_THINGS = {"road", "highway", "street"};
  static final String[] CAR_ENDS = {"stopped", "turned", "honked"};

  static String yaml() {
    return """
        data:
          key: [part, id]
          sources:
            - {name: notes, format: csv, path: notes.csv, text: note}
        tasks:
          - {name: topic, type: binary, source: notes, column: topic, positive: pets}
        prep:
          partitions: 2
          split: {by: part, named: true}
          text: {vectors: "%s", minCount: 1}
        model:
          trunk: [8]
        train:
          epochs: 2
          learningRate: 0.01
          pretrained: {frozenEpochs: 99}
        """;
  }

  static String pick(Random r, String[] words) {
    return words[r.nextInt(words.length)];
  }

  @BeforeAll
  static void writeNotes() throws IOException {
    spark = SharedSpark.get();
    Random r = new Random(5);
    StringBuilder csv = new StringBuilder("part,id,note,topic\n");
    for (int i = 0; i < RECORDS; i++) {
      String part = i < TEST_RECORDS ? "test" : i < 2 * TEST_RECORDS ? "validation" : "train";
      boolean pets = r.nextBoolean();
      String note =
          pets
              ? "my "
                  + pick(r, PETS)
                  + " "
                  + pick(r, PET_VERBS)
                  + " the "
                  + pick(r, PET_THINGS)
                  + " then "
                  + pick(r, PET_ENDS)
              : "my "
                  + pick(r, CARS)
                  + " "
                  + pick(r, CAR_VERBS)
                  + " on the "
                  + pick(r, CAR_THINGS)
                  + " then "
                  + pick(r, CAR_ENDS);
      if (part.equals("test")) {
        note += " zebra"; // in the test split only
      }
      if (i == RECORDS - 1) {
        note += " unicorn"; // once, in a labelled training record
      }
      // Every test and validation record is labelled, a third of the training records.
      boolean labelled = !part.equals("train") || i % 3 == 0 || i == RECORDS - 1;
      csv.append(part)
          .append(',')
          .append(i)
          .append(",\"")
          .append(note)
          .append("\",")
          .append(labelled ? (pets ? "pets" : "vehicles") : "")
          .append('\n');
    }
    Path folder = Files.createDirectories(dir.resolve("data"));
    Files.writeString(folder.resolve("notes.csv"), csv);
    data = folder.toString();
  }

  static EmbedJob.Options options(int minCount, EmbedJob.Format format) {
    return new EmbedJob.Options(
        16, 3, minCount, 10, 1, Set.of(Split.TRAIN, Split.VALIDATION), format, 7);
  }

  static double cosine(float[] a, float[] b) {
    double ab = 0, aa = 0, bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Test
  void vectorsFromUnlabelledTextsPlaceWordsByTheirContextsAndStartAFrozenModel()
      throws IOException {
    String out = dir.resolve("vectors").toString();
    MtlConfig config = ConfigLoader.fromYaml(yaml().formatted(""), "embed.yaml");
    EmbedJob.Summary summary =
        new EmbedJob(spark).run(config, data, out, options(2, EmbedJob.Format.BINARY));
    assertEquals(RECORDS, summary.records(), "labelled or not, every record is read");
    assertEquals(RECORDS - TEST_RECORDS, summary.texts(), "the test split's texts are left out");
    assertEquals("notes", summary.source());
    assertEquals(EmbedJob.Format.BINARY.file(), summary.file());
    assertEquals(summary, EmbedJob.readSummary(new Configuration(), out));

    List<String> words =
        List.of("cat", "dog", "car", "truck", "zebra", "unicorn", "my", "the", "fish", "road");
    WordVectors v =
        WordVectors.read(
            new Configuration(), out + "/vectors.bin", VectorsFormat.AUTO, words, true);
    assertEquals(16, v.dimension());
    assertNull(v.row(4), "zebra is only in the test split");
    assertNull(v.row(5), "unicorn occurs once, under --min-count 2");
    for (int w : new int[] {0, 1, 2, 3, 6, 7, 8, 9}) {
      assertNotNull(v.row(w), words.get(w));
    }
    // 26 words: my, the, on, then, and 2 x (2 + 3 + 3 + 3) topic words.
    assertEquals(26, summary.words(), "every word seen twice but unicorn and zebra");
    double catDog = cosine(v.row(0), v.row(1));
    double carTruck = cosine(v.row(2), v.row(3));
    double catCar = cosine(v.row(0), v.row(2));
    double dogTruck = cosine(v.row(1), v.row(3));
    assertTrue(
        Math.min(catDog, carTruck) > Math.max(catCar, dogTruck) + 0.3,
        "cat-dog "
            + catDog
            + ", car-truck "
            + carTruck
            + ", cat-car "
            + catCar
            + ", dog-truck "
            + dogTruck);

    // The vectors as prep.text.vectors: every vocabulary token but unicorn has one; a model
    // frozen on them learns the topic.
    MtlConfig withVectors =
        ConfigLoader.fromYaml(yaml().formatted(out + "/vectors.bin"), "embed.yaml");
    String prep = dir.resolve("prep").toString();
    Manifest manifest = new PrepJob(spark).run(withVectors, data, prep);
    List<String> vocabulary = manifest.featurizers().vocabulary();
    assertTrue(vocabulary.contains("unicorn"), vocabulary.toString());
    assertFalse(vocabulary.contains("zebra"), vocabulary.toString());
    assertEquals(vocabulary.size() - 1, manifest.textVectors().covered());
    assertEquals(16, manifest.textVectors().dimension());
    String run = dir.resolve("run").toString();
    new TrainJob(spark).run(withVectors, prep, run);
    double auc =
        new EvaluateJob(spark).run(run, prep, "test", 2).tasks().get("topic").metrics().get("auc");
    assertTrue(auc > 0.95, "the topic words tell the topic: test AUC " + auc);

    // The text embedding from the prepared data's word vectors and from another model at once is
    // refused (the configuration alone names no vectors, so its own check cannot see them).
    MtlConfig both =
        ConfigLoader.fromYaml(
            yaml()
                .formatted("")
                .replace(
                    "pretrained: {frozenEpochs: 99}",
                    "pretrained: {frozenEpochs: 99, from: \"" + run + "\", parts: [text]}"),
            "both.yaml");
    String bothRun = dir.resolve("both-run").toString();
    org.mtlspark.config.ConfigException e =
        assertThrows(
            org.mtlspark.config.ConfigException.class,
            () -> new TrainJob(spark).run(both, prep, bothRun));
    assertTrue(
        e.getMessage().contains("has word vectors (") && e.getMessage().contains(run),
        e.getMessage());
    assertFalse(Files.exists(Path.of(bothRun, "model.zip")));
  }

  @Test
  void textFormatTooAndNoWordFrequentEnoughFailsWithNoOutput() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(yaml().formatted(""), "embed.yaml");
    String text = dir.resolve("vectors-text").toString();
    EmbedJob.Summary s =
        new EmbedJob(spark).run(config, data, text, options(2, EmbedJob.Format.TEXT));
    assertEquals("vectors.txt", s.file());
    String head = Files.readString(Path.of(text, "vectors.txt")).lines().findFirst().orElseThrow();
    assertEquals(s.words() + " 16", head);
    assertEquals(
        "my",
        Files.readString(Path.of(text, "vectors.txt"))
            .lines()
            .skip(1)
            .findFirst()
            .get()
            .split(" ")[0],
        "the most frequent word first (my and then are in every note; my sorts first)");

    String none = dir.resolve("vectors-none").toString();
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                new EmbedJob(spark)
                    .run(config, data, none, options(100_000, EmbedJob.Format.BINARY)));
    assertTrue(
        e.getMessage().contains("no word occurs 100000 times")
            && e.getMessage().contains("source notes"),
        e.getMessage());
    assertFalse(Files.exists(Path.of(none)), "no output folder");
    assertThrows(
        IOException.class,
        () -> new EmbedJob(spark).run(config, data, text, options(2, EmbedJob.Format.TEXT)),
        "an existing folder is never written into");
  }
}
