package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * Ratings whose answer is known: rating = mean + user bias + item bias + noise, for 300 users and
 * 200 items (and 40 users seen once). With the users and items as identifier columns the network
 * learns each one's bias; hashed into 16 buckets each it cannot tell them apart. Then rows of users
 * and items never seen are scored: they take the unknown index.
 */
class IdEmbeddingsIT {
  static final int USERS = 300;
  static final int ITEMS = 200;
  static final int PER_USER = 80;
  static final int ONCE = 40;
  static final double NOISE = 0.3;

  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest ids;
  static EvaluateJob.Report idsReport;
  static EvaluateJob.Report hashedReport;
  static Map<String, Row> scored = new HashMap<>();

  static String yaml(String kind) {
    return """
        data:
          key: [user, item]
          sources:
            - {name: ratings, format: csv, path: ratings.csv, numeric: [hour], %s: [user, item]}
        tasks:
          - {name: rating, type: regression, source: ratings, column: rating}
        prep:
          partitions: 2
          hashBuckets: 16
          ids: {minCount: 2}
        model:
          tabularHidden: [8]
          idEmbedding: 8
          trunk: [32]
        train:
          epochs: 6
          learningRate: 0.01
        """
        .formatted(kind);
  }

  @BeforeAll
  static void prepareTrainAndEvaluateBoth() throws IOException {
    spark = SharedSpark.get();
    Random r = new Random(5);
    double[] userBias = new double[USERS];
    double[] itemBias = new double[ITEMS];
    for (int u = 0; u < USERS; u++) {
      userBias[u] = 0.5 * r.nextGaussian();
    }
    for (int i = 0; i < ITEMS; i++) {
      itemBias[i] = 0.5 * r.nextGaussian();
    }
    StringBuilder csv = new StringBuilder("user,item,hour,rating\n");
    for (int u = 0; u < USERS; u++) {
      Set<Integer> rated = new HashSet<>();
      while (rated.size() < PER_USER) {
        rated.add(r.nextInt(ITEMS));
      }
      for (int i : rated) {
        double rating = 3.5 + userBias[u] + itemBias[i] + NOISE * r.nextGaussian();
        csv.append("u%d,i%d,%d,%.4f%n".formatted(u, i, r.nextInt(24), rating));
      }
    }
    for (int c = 0; c < ONCE; c++) {
      int i = r.nextInt(ITEMS);
      double rating = 3.5 + 0.5 * r.nextGaussian() + itemBias[i] + NOISE * r.nextGaussian();
      csv.append("once%d,i%d,%d,%.4f%n".formatted(c, i, r.nextInt(24), rating));
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("ratings.csv"), csv);

    MtlConfig idsConfig = ConfigLoader.fromYaml(yaml("ids"), "ids.yaml");
    ids = new PrepJob(spark).run(idsConfig, data.toString(), dir.resolve("ids-prep").toString());
    new TrainJob(spark)
        .run(idsConfig, dir.resolve("ids-prep").toString(), dir.resolve("ids-run").toString());
    idsReport =
        new EvaluateJob(spark)
            .run(dir.resolve("ids-run").toString(), dir.resolve("ids-prep").toString(), "test", 2);

    MtlConfig hashedConfig = ConfigLoader.fromYaml(yaml("hashed"), "hashed.yaml");
    new PrepJob(spark).run(hashedConfig, data.toString(), dir.resolve("hashed-prep").toString());
    new TrainJob(spark)
        .run(
            hashedConfig,
            dir.resolve("hashed-prep").toString(),
            dir.resolve("hashed-run").toString());
    hashedReport =
        new EvaluateJob(spark)
            .run(
                dir.resolve("hashed-run").toString(),
                dir.resolve("hashed-prep").toString(),
                "test",
                2);
    System.out.println("ids:\n" + EvaluateJob.table(idsReport));
    System.out.println(EvaluateJob.ablationTable(idsReport));
    System.out.println("hashed into 16 buckets:\n" + EvaluateJob.table(hashedReport));

    // New rows: known users and items, users and items never seen, and a user seen once.
    Path fresh = Files.createDirectories(dir.resolve("fresh"));
    Files.writeString(
        fresh.resolve("ratings.csv"),
        """
        user,item,hour,rating
        u1,i1,12,NA
        u2,i1,12,NA
        newA,i1,12,NA
        newB,i1,12,NA
        once0,i1,12,NA
        u1,newItemA,12,NA
        u1,newItemB,12,NA
        newA,newItemA,12,NA
        """);
    new ScoreJob(spark)
        .run(
            dir.resolve("ids-run").toString(),
            fresh.toString(),
            dir.resolve("scored").toString(),
            ScoreJob.Format.PARQUET);
    for (Row row :
        spark.read().parquet(dir.resolve("scored/predictions").toString()).collectAsList()) {
      scored.put(row.getString(0) + "," + row.getString(1), row);
    }
  }

  @Test
  void idsBeatTheMeanAndHashedBucketsByAClearMargin() {
    TaskMetrics withIds = idsReport.tasks().get("rating");
    TaskMetrics hashed = hashedReport.tasks().get("rating");
    double rmse = withIds.metrics().get("rmse");
    double baseline = withIds.baseline().get("rmse");
    double hashedRmse = hashed.metrics().get("rmse");
    // The baseline is about sqrt(0.25 + 0.25 + 0.09) = 0.77, the best possible about 0.3.
    assertTrue(rmse < 0.75 * baseline, "ids " + rmse + ", training mean " + baseline);
    assertTrue(rmse < 0.8 * hashedRmse, "ids " + rmse + ", hashed into 16 buckets " + hashedRmse);
  }

  @Test
  void theAblationShowsWhatTheIdsAdd() {
    assertEquals(List.of("tabular", "ids"), List.copyOf(idsReport.ablation().keySet()));
    double rmse = idsReport.tasks().get("rating").metrics().get("rmse");
    assertTrue(
        idsReport.ablation().get("ids").get("rating") > 1.2 * rmse,
        "without ids: " + idsReport.ablation());
  }

  /** The keys of a split's examples, from the Parquet files prep wrote. */
  static List<String[]> keys(String split) {
    return spark
        .read()
        .parquet(dir.resolve("ids-prep/examples/" + split).toString())
        .select("key")
        .collectAsList()
        .stream()
        .map(row -> Keys.split(row.getString(0)))
        .toList();
  }

  @Test
  void theVocabularyHoldsExactlyTheIdsSeenTwiceInTrainingMostFrequentFirst() {
    Map<String, Long> users = new HashMap<>();
    Map<String, Long> items = new HashMap<>();
    for (String[] key : keys("train")) {
      users.merge(key[0], 1L, Long::sum);
      items.merge(key[1], 1L, Long::sum);
    }
    assertEquals(List.of("ratings.user", "ratings.item"), ids.featurizers().idColumns());
    for (int c = 0; c < 2; c++) {
      Map<String, Long> counts = c == 0 ? users : items;
      List<String> vocabulary = ids.featurizers().idVocabularies().get(c);
      Set<String> expected = new HashSet<>();
      counts.forEach(
          (id, n) -> {
            if (n >= 2) {
              expected.add(id);
            }
          });
      assertEquals(expected, Set.copyOf(vocabulary), "column " + c);
      for (int k = 1; k < vocabulary.size(); k++) {
        assertTrue(counts.get(vocabulary.get(k - 1)) >= counts.get(vocabulary.get(k)));
      }
    }
    assertTrue(
        ids.featurizers().idVocabularies().get(0).stream().noneMatch(u -> u.startsWith("once")),
        "a user seen once shares index 0");
    assertEquals(USERS, ids.featurizers().idVocabularies().get(0).size());
  }

  @Test
  void theManifestCountsTheRowsWhoseIdIsOutOfTheVocabulary() {
    Set<String> users = Set.copyOf(ids.featurizers().idVocabularies().get(0));
    Set<String> items = Set.copyOf(ids.featurizers().idVocabularies().get(1));
    for (String split : List.of("train", "validation", "test")) {
      List<String[]> keys = keys(split);
      long unknownUsers = keys.stream().filter(k -> !users.contains(k[0])).count();
      long unknownItems = keys.stream().filter(k -> !items.contains(k[1])).count();
      Manifest.SplitSummary summary = ids.splits().get(split);
      assertEquals(unknownUsers, summary.unknownIds().get("ratings.user"), split);
      assertEquals(unknownItems, summary.unknownIds().get("ratings.item"), split);
    }
    long onceUsers =
        ids.splits().values().stream().mapToLong(s -> s.unknownIds().get("ratings.user")).sum();
    assertEquals(ONCE, onceUsers, "every user seen once, in whichever split, is unknown");
  }

  @Test
  void scoringGivesUnseenIdsTheUnknownIndex() {
    assertEquals(8, scored.size(), scored.keySet().toString());
    double known = scored.get("u1,i1").getDouble(2);
    double other = scored.get("u2,i1").getDouble(2);
    double newA = scored.get("newA,i1").getDouble(2);
    for (Row row : scored.values()) {
      assertTrue(Double.isFinite(row.getDouble(2)), row.toString());
    }
    assertNotEquals(known, other, 1e-6, "two known users, two predictions");
    assertNotEquals(known, newA, 1e-6);
    assertEquals(newA, scored.get("newB,i1").getDouble(2), 1e-9, "both new users are index 0");
    assertEquals(newA, scored.get("once0,i1").getDouble(2), 1e-9, "and so is a user seen once");
    assertEquals(
        scored.get("u1,newItemA").getDouble(2),
        scored.get("u1,newItemB").getDouble(2),
        1e-9,
        "two new items are index 0");
  }
}
