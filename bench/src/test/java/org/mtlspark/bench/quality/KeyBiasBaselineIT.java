package org.mtlspark.bench.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.testing.SharedSpark;

/**
 * Ratings made of a mean, a user bias and a movie bias (plus noise), written as prep writes its
 * examples (key "user U+001F movie", the label standardized, a mask): the baseline recovers them.
 */
class KeyBiasBaselineIT {
  @TempDir static Path dir;
  static final TaskEncoding RATING =
      new TaskEncoding(
          "rating",
          TaskConfig.TaskType.REGRESSION,
          "rating",
          1.0,
          List.of(),
          List.of(),
          3.5,
          1.2,
          1000);
  static double[] user = new double[30];
  static double[] movie = new double[40];

  @BeforeAll
  static void writeExamples() {
    Random r = new Random(7);
    for (int u = 0; u < user.length; u++) {
      user[u] = r.nextGaussian() * 0.6;
    }
    for (int m = 0; m < movie.length; m++) {
      movie[m] = r.nextGaussian() * 0.8;
    }
    write("train", r, 0.3, 4000);
    write("test", r, 0.3, 1000);
  }

  static void write(String split, Random r, double noise, int n) {
    StructType schema =
        new StructType()
            .add("key", DataTypes.StringType)
            .add("label_rating", DataTypes.createArrayType(DataTypes.FloatType))
            .add("mask_rating", DataTypes.FloatType);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int u = r.nextInt(user.length);
      int m = r.nextInt(movie.length);
      double y = 3.5 + user[u] + movie[m] + noise * r.nextGaussian();
      boolean labelled = i % 10 != 0;
      // Unlabelled rows carry a wild label that must be ignored.
      float label = (float) (((labelled ? y : 1000) - RATING.mean()) / RATING.std());
      rows.add(
          RowFactory.create(
              "u" + u + "\u001Fm" + m, List.of(label).toArray(new Float[0]), labelled ? 1f : 0f));
    }
    SparkSession spark = SharedSpark.get();
    spark
        .createDataFrame(rows, schema)
        .write()
        .parquet(dir.resolve("examples").resolve(split).toString());
  }

  @Test
  void recoversAdditiveUserAndMovieBiasesDownToTheNoise() {
    KeyBiasBaseline.Result r =
        KeyBiasBaseline.evaluate(
            SharedSpark.get(), dir.toString(), RATING, List.of("userId", "movieId"), "test", 1.0);
    assertEquals(900, r.examples(), "the labelled test rows");
    assertTrue(r.rmse() < 0.36, "rmse " + r.rmse() + " against noise 0.3");
    // The mean alone is far worse: the biases carry a variance of about 0.36 + 0.64.
    assertTrue(Math.abs(r.trainMean() - 3.5) < 0.2, "train mean " + r.trainMean());
  }

  @Test
  void strongShrinkageFallsBackTowardsTheMean() {
    double weak =
        KeyBiasBaseline.evaluate(
                SharedSpark.get(),
                dir.toString(),
                RATING,
                List.of("userId", "movieId"),
                "test",
                1.0)
            .rmse();
    double strong =
        KeyBiasBaseline.evaluate(
                SharedSpark.get(),
                dir.toString(),
                RATING,
                List.of("userId", "movieId"),
                "test",
                1e6)
            .rmse();
    assertTrue(
        strong > 0.9 && strong > 2 * weak,
        "lambda 1e6 leaves about the spread of the biases: " + strong);
  }
}
