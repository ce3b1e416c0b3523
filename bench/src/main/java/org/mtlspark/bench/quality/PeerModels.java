package org.mtlspark.bench.quality;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.classification.GBTClassifier;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.regression.GBTRegressor;
import org.apache.spark.ml.regression.LinearRegression;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.TaskAccumulator;
import org.mtlspark.workers.eval.TaskMetrics;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The strong peers of our networks in {@code bench quality}: per task, gradient-boosted trees
 * ({@link #GBT}) and a linear model ({@link #LINEAR}) from Spark MLlib, fitted on the training
 * split's examples of a prepared data set ({@link PeerFeatures}: the same columns the networks see)
 * and scored on another split by the same code as the networks: each model's predictions are put in
 * the space the network's head outputs (a standardized regression target, a probability, class
 * probabilities in class order, per-label probabilities, an ordinal task's cumulative
 * probabilities P(class > k)) and fed to {@link TaskAccumulator}, whose {@link TaskMetrics} are
 * the figures. Rows whose label mask for a task is 0 are left out of that task's fit and scores.
 *
 * <p>Regression fits the standardized (and, if configured, transformed) target the network learns;
 * a binary or multi-label task one classifier per output; a multiclass task one-vs-rest trees with
 * their probabilities normalized to sum to 1, or one multinomial logistic regression; an ordinal
 * task one classifier per cumulative target, which is the encoding {@code TaskAccumulator} scores
 * (the class is the number of cumulative outputs at least 0.5). A target constant over the
 * training rows is predicted as that constant.
 */
public final class PeerModels implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerModels.class);

  public static final String GBT = "gbt";
  public static final String LINEAR = "linear";

  /** Every peer, in table order. */
  public static final List<String> ALL = List.of(GBT, LINEAR);

  /** Classifiers of one task fitted at once. */
  static final int CONCURRENT_FITS = 3;

  /** Rows per prediction array fed to the accumulator. */
  private static final int BATCH = 512;

  private final PeerSettings settings;
  private final List<TaskEncoding> tasks;
  private final Dataset<Row> train;
  private final Dataset<Row> test;

  /**
   * The peers of the data prepared in {@code prepDir} (with {@code prep.writeExamples}): fitted on
   * its training split, scored on {@code split}.
   */
  public PeerModels(SparkSession spark, String prepDir, String split, PeerSettings settings)
      throws IOException {
    this.settings = settings;
    FeaturizerState state =
        Manifest.read(spark.sparkContext().hadoopConfiguration(), prepDir).featurizers();
    // Token tasks have a label per token, not per row: the peers fit the record tasks only.
    this.tasks = state.tasks().stream().filter(TaskEncoding::recordLabels).toList();
    PeerFeatures features = new PeerFeatures(state, settings.words());
    for (String s : List.of("train", split)) {
      if (!org.mtlspark.prep.io.HadoopFiles.exists(
          spark.sparkContext().hadoopConfiguration(), prepDir + "/examples/" + s)) {
        throw new IOException(
            "no examples in "
                + prepDir
                + "/examples/"
                + s
                + ": the peers need prep.writeExamples=true");
      }
    }
    // As many partitions as the application has cores at most: every boosting round runs a few
    // Spark jobs, whose tasks cost more than their work on data of this size.
    int partitions = Math.max(1, spark.sparkContext().defaultParallelism());
    train =
        features
            .read(spark, prepDir, "train", tasks)
            .coalesce(partitions)
            .persist(StorageLevel.MEMORY_AND_DISK());
    test =
        features
            .read(spark, prepDir, split, tasks)
            .coalesce(partitions)
            .persist(StorageLevel.MEMORY_AND_DISK());
    LOG.info(
        "peer features: {} values per example ({} training examples)",
        features.size(),
        train.count());
  }

  /** Every task's metrics of the peer {@code peer} ({@link #GBT} or {@link #LINEAR}) with this seed. */
  public Map<String, TaskMetrics> evaluate(String peer, long seed) {
    if (!ALL.contains(peer)) {
      throw new IllegalArgumentException("unknown peer " + peer + "; known: " + ALL);
    }
    Map<String, TaskMetrics> out = new LinkedHashMap<>();
    for (TaskEncoding t : tasks) {
      long started = System.nanoTime();
      LOG.info("peer {}: fitting task {} ({}), seed {}", peer, t.name(), t.type(), seed);
      TaskMetrics m = evaluate(peer, t, seed);
      LOG.info(
          "peer {}: task {} seed {}: {} {} on {} rows, in {}s",
          peer,
          t.name(),
          seed,
          m.primaryMetric(),
          String.format("%.4f", m.primaryValue()),
          m.examples(),
          String.format("%.1f", (System.nanoTime() - started) / 1e9));
      out.put(t.name(), m);
    }
    return out;
  }

  private TaskMetrics evaluate(String peer, TaskEncoding t, long seed) {
    String label = "label_" + t.name();
    String mask = "mask_" + t.name();
    Dataset<Row> fit =
        train
            .filter(col(mask).gt(0))
            .select(col(PeerFeatures.FEATURES), col(label))
            .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> scored =
        test.filter(col(mask).gt(0)).select(col(PeerFeatures.FEATURES), col(label), col(mask));
    int k = t.width();
    boolean normalize = false;
    Column prediction;
    try {
      if (t.type() == TaskConfig.TaskType.REGRESSION) {
        Model<?> model = regressor(peer, seed).fit(fit.withColumn("y", target(label, 0)));
        scored = model.transform(scored);
        prediction = org.apache.spark.sql.functions.array(col("out"));
      } else if (t.type() == TaskConfig.TaskType.MULTICLASS && peer.equals(LINEAR)) {
        Column index = lit(0.0);
        for (int j = 1; j < k; j++) {
          index = index.plus(target(label, j).multiply(j));
        }
        Model<?> model =
            new LogisticRegression()
                .setFamily("multinomial")
                .setRegParam(settings.linearRegParam())
                .setMaxIter(settings.linearMaxIter())
                .setLabelCol("y")
                .setPredictionCol("out_class")
                .setRawPredictionCol("out_raw")
                .setProbabilityCol("out_probability")
                .fit(fit.withColumn("y", index));
        scored = model.transform(scored);
        prediction = functions.vector_to_array(col("out_probability"), "float64");
      } else {
        // One binary classifier per output: the label, each label, each class (one-vs-rest) or
        // each cumulative target P(class > j).
        Row positives = fit.agg(count(lit(1)), positives(label, k)).first();
        long rows = positives.getLong(0);
        Column[] outputs = new Column[k];
        List<Integer> fitted = new ArrayList<>();
        for (int j = 0; j < k; j++) {
          double p = positives.isNullAt(j + 1) ? 0 : positives.getDouble(j + 1);
          if (p == 0 || p == rows) {
            outputs[j] = lit(p / Math.max(1, rows));
          } else {
            fitted.add(j);
          }
        }
        for (var model : fitAll(peer, seed, fit, label, fitted).entrySet()) {
          int j = model.getKey();
          scored = model.getValue().transform(scored);
          outputs[j] = functions.vector_to_array(col("p" + j), "float64").getItem(1);
        }
        prediction = org.apache.spark.sql.functions.array(outputs);
        normalize = t.type() == TaskConfig.TaskType.MULTICLASS;
      }
      return TaskMetrics.of(
          accumulate(t, scored.select(prediction, col(label), col(mask)), normalize));
    } finally {
      fit.unpersist();
    }
  }

  /**
   * Fits the binary classifiers of the outputs {@code outputs} of a task, up to {@link
   * #CONCURRENT_FITS} at a time: a boosting round's Spark jobs are small, and the driver waits on
   * each, so that several fits share the cores better than one after the other.
   */
  private Map<Integer, Model<?>> fitAll(
      String peer, long seed, Dataset<Row> fit, String label, List<Integer> outputs) {
    Map<Integer, Model<?>> models = new java.util.TreeMap<>();
    if (outputs.isEmpty()) {
      return models;
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(CONCURRENT_FITS, outputs.size()));
    try {
      Map<Integer, Future<Model<?>>> pending = new LinkedHashMap<>();
      for (int j : outputs) {
        pending.put(
            j,
            pool.submit(
                () -> {
                  Model<?> m = classifier(peer, seed, j).fit(fit.withColumn("y", target(label, j)));
                  LOG.debug("peer {}: output {} of {} fitted", peer, j, label);
                  return m;
                }));
      }
      for (var p : pending.entrySet()) {
        models.put(p.getKey(), p.getValue().get());
      }
      return models;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while fitting " + label, e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r
          ? r
          : new IllegalStateException("fitting " + label + " failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Output {@code j} of a task's label array as the double column {@code y} of a fit. */
  private static Column target(String label, int j) {
    return col(label).getItem(j).cast("double");
  }

  /** Per output, the training rows it is 1 in. */
  private static Column[] positives(String label, int k) {
    Column[] c = new Column[k];
    for (int j = 0; j < k; j++) {
      c[j] = sum(target(label, j));
    }
    return c;
  }

  private org.apache.spark.ml.Predictor<?, ?, ?> regressor(String peer, long seed) {
    return peer.equals(GBT)
        ? new GBTRegressor()
            .setMaxIter(settings.gbtMaxIter())
            .setMaxDepth(settings.gbtMaxDepth())
            .setStepSize(settings.gbtStepSize())
            .setSubsamplingRate(settings.gbtSubsamplingRate())
            .setSeed(seed)
            .setLabelCol("y")
            .setPredictionCol("out")
        : new LinearRegression()
            .setRegParam(settings.linearRegParam())
            .setElasticNetParam(0)
            .setMaxIter(settings.linearMaxIter())
            .setLabelCol("y")
            .setPredictionCol("out");
  }

  /** A binary classifier writing its probabilities to {@code p<j>}. */
  private org.apache.spark.ml.Predictor<?, ?, ?> classifier(String peer, long seed, int j) {
    if (peer.equals(GBT)) {
      return new GBTClassifier()
          .setMaxIter(settings.gbtMaxIter())
          .setMaxDepth(settings.gbtMaxDepth())
          .setStepSize(settings.gbtStepSize())
          .setSubsamplingRate(settings.gbtSubsamplingRate())
          .setSeed(seed)
          .setLabelCol("y")
          .setPredictionCol("c" + j)
          .setRawPredictionCol("r" + j)
          .setProbabilityCol("p" + j);
    }
    return new LogisticRegression()
        .setFamily("binomial")
        .setRegParam(settings.linearRegParam())
        .setElasticNetParam(0)
        .setMaxIter(settings.linearMaxIter())
        .setLabelCol("y")
        .setPredictionCol("c" + j)
        .setRawPredictionCol("r" + j)
        .setProbabilityCol("p" + j);
  }

  /**
   * Feeds rows of (prediction array, label array, mask) to a task's accumulator, a batch of rows
   * at a time on the executors, and merges the partitions' accumulators. A prediction shorter than
   * the task's width (a multinomial model that saw fewer classes) is padded with 0; with {@code
   * normalize} each row's predictions are scaled to sum to 1.
   */
  static TaskAccumulator accumulate(TaskEncoding task, Dataset<Row> rows, boolean normalize) {
    int k = task.width();
    return rows.toJavaRDD()
        .mapPartitions(
            (Iterator<Row> it) -> {
              TaskAccumulator acc = new TaskAccumulator(task);
              List<Row> batch = new ArrayList<>(BATCH);
              while (it.hasNext()) {
                batch.add(it.next());
                if (batch.size() == BATCH || !it.hasNext()) {
                  add(acc, batch, k, normalize);
                  batch.clear();
                }
              }
              return List.of(acc).iterator();
            })
        .fold(new TaskAccumulator(task), TaskAccumulator::merge);
  }

  private static void add(TaskAccumulator acc, List<Row> batch, int k, boolean normalize) {
    double[][] p = new double[batch.size()][k];
    double[][] y = new double[batch.size()][k];
    double[][] m = new double[batch.size()][1];
    for (int i = 0; i < batch.size(); i++) {
      Row r = batch.get(i);
      List<Object> predicted = r.getList(0);
      List<Object> labels = r.getList(1);
      double total = 0;
      for (int j = 0; j < k; j++) {
        p[i][j] = j < predicted.size() ? ((Number) predicted.get(j)).doubleValue() : 0;
        y[i][j] = ((Number) labels.get(j)).doubleValue();
        total += p[i][j];
      }
      if (normalize && total > 0) {
        for (int j = 0; j < k; j++) {
          p[i][j] /= total;
        }
      }
      m[i][0] = ((Number) r.get(2)).doubleValue();
    }
    INDArray predictions = Nd4j.create(p);
    INDArray labelArray = Nd4j.create(y);
    INDArray maskArray = Nd4j.create(m);
    acc.add(predictions, labelArray, maskArray);
  }

  @Override
  public void close() {
    train.unpersist();
    test.unpersist();
  }
}
