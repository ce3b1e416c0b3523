package org.mtlspark.bench.quality;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expm1;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;

/**
 * The classic baseline of rating prediction, for a regression task on a composite key: the training
 * mean plus one bias per value of each key column ({@code y ~ mu + b_user + b_movie} for MovieLens),
 * fitted on the training split's examples by ridge-regularized alternating sweeps
 * ({@code b_c(v) = sum(residual) / (lambda + n)}), and its RMSE on another split. A key value
 * never seen in training has bias 0. Reads the examples prep writes ({@code examples/<split>/}),
 * so it scores exactly the rows the model is evaluated on.
 */
public final class KeyBiasBaseline {
  /** Shrinkage of every bias towards 0, in ratings' worth of evidence. */
  public static final double DEFAULT_LAMBDA = 10;

  static final int SWEEPS = 4;

  private KeyBiasBaseline() {}

  /** RMSE and example count of the bias baseline on {@code split}. */
  public record Result(double rmse, long examples, double trainMean) {}

  public static Result evaluate(
      SparkSession spark,
      String prepDir,
      TaskEncoding task,
      List<String> keyColumns,
      String split,
      double lambda) {
    int parts = keyColumns.size();
    Dataset<Row> train = rows(spark, prepDir, "train", task, parts).cache();
    double mean = train.agg(avg("y")).first().getDouble(0);
    Dataset<Row>[] biases = fit(train, parts, mean, lambda);
    Dataset<Row> test = withBiases(rows(spark, prepDir, split, task, parts), biases);
    Column error = col("y").minus(prediction(parts, mean));
    Row r = test.agg(sum(error.multiply(error)), count(lit(1))).first();
    train.unpersist();
    long n = r.getLong(1);
    return new Result(n == 0 ? Double.NaN : Math.sqrt(r.getDouble(0) / n), n, mean);
  }

  /** The labelled rows of a split: the key's parts {@code k0..} and the label in its own units, {@code y}. */
  private static Dataset<Row> rows(
      SparkSession spark, String prepDir, String split, TaskEncoding task, int parts) {
    Dataset<Row> examples = spark.read().parquet(prepDir + "/examples/" + split);
    Column[] columns = new Column[parts + 1];
    Column key = split(col("key"), "\u001F");
    for (int c = 0; c < parts; c++) {
      columns[c] = key.getItem(c).as("k" + c);
    }
    Column y =
        col("label_" + task.name())
            .getItem(0)
            .cast("double")
            .multiply(task.std())
            .plus(task.mean());
    columns[parts] = (task.transform() == TaskConfig.Transform.LOG1P ? expm1(y) : y).as("y");
    return examples.filter(col("mask_" + task.name()).gt(0)).select(columns);
  }

  @SuppressWarnings("unchecked")
  private static Dataset<Row>[] fit(Dataset<Row> train, int parts, double mean, double lambda) {
    Dataset<Row>[] biases = new Dataset[parts];
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
      for (int c = 0; c < parts; c++) {
        Dataset<Row>[] others = biases.clone();
        others[c] = null;
        Column residual = col("y").minus(prediction(parts, mean, c));
        biases[c] =
            withBiases(train, others)
                .groupBy(col("k" + c).as("bk" + c))
                .agg(sum(residual).divide(count(lit(1)).plus(lambda)).as("b" + c))
                .localCheckpoint();
      }
    }
    return biases;
  }

  /** Joins each fitted bias table on its key part; a missing bias is 0. */
  private static Dataset<Row> withBiases(Dataset<Row> rows, Dataset<Row>[] biases) {
    Dataset<Row> out = rows;
    for (int c = 0; c < biases.length; c++) {
      out =
          biases[c] == null
              ? out.withColumn("b" + c, lit(0.0))
              : out.join(biases[c], col("k" + c).equalTo(col("bk" + c)), "left")
                  .drop("bk" + c)
                  .withColumn("b" + c, coalesce(col("b" + c), lit(0.0)));
    }
    return out;
  }

  private static Column prediction(int parts, double mean) {
    return prediction(parts, mean, -1);
  }

  /** mu plus every bias but the one of key part {@code except}. */
  private static Column prediction(int parts, double mean, int except) {
    Column p = lit(mean);
    for (int c = 0; c < parts; c++) {
      if (c != except) {
        p = p.plus(col("b" + c));
      }
    }
    return p;
  }
}
