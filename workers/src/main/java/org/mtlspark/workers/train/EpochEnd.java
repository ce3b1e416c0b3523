package org.mtlspark.workers.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.TaskEvaluator;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.eval.ValidationObjective;
import org.mtlspark.workers.model.TaskLossWeights;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a training run does after every epoch: evaluates the validation split (every task) and keeps
 * the best model so far, moves the task weights when they are dynamic, appends the epoch to the
 * metrics history, writes a checkpoint and the history, and says whether to stop early.
 */
final class EpochEnd implements GraphTrainer.EpochListener {
  // Progress of the job it belongs to, under its name.
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final JavaSparkContext jsc;
  private final Configuration hadoop;
  private final MtlConfig config;
  private final Manifest manifest;
  private final String runDir;
  private final List<String> validation;
  private final List<String> lossSample;
  private final int workers;
  private final TaskWeighting weighting;
  private final EarlyStopping stopping;
  private final List<Map<String, Object>> history;
  private final Checkpoints checkpoints;
  private final long started;
  private boolean stoppedEarly;
  private java.util.function.Supplier<double[]> learned = () -> new double[0];
  private java.util.function.Supplier<double[]> balance = () -> new double[0];

  /**
   * @param history the epochs so far (those of the checkpoint when resuming); every epoch is appended
   * @param started {@link System#nanoTime()} when training started, for each epoch's elapsed seconds
   */
  EpochEnd(
      JavaSparkContext jsc,
      Configuration hadoop,
      MtlConfig config,
      Manifest manifest,
      String runDir,
      List<String> validation,
      List<String> lossSample,
      int workers,
      TaskWeighting weighting,
      EarlyStopping stopping,
      List<Map<String, Object>> history,
      Checkpoints checkpoints,
      long started) {
    this.jsc = jsc;
    this.hadoop = hadoop;
    this.config = config;
    this.manifest = manifest;
    this.runDir = runDir;
    this.validation = validation;
    this.lossSample = lossSample;
    this.workers = workers;
    this.weighting = weighting;
    this.stopping = stopping;
    this.history = history;
    this.checkpoints = checkpoints;
    this.started = started;
  }

  /** Where the best model on validation so far is kept. */
  static String bestPath(String runDir) {
    return runDir + "/" + RunFolder.CHECKPOINTS + "/best-model.zip";
  }

  /**
   * Where each epoch's weights learned at every step (uncertainty, gradnorm) come from, to keep
   * in the history as {@code learnedTaskWeights}.
   */
  void learnedWeights(java.util.function.Supplier<double[]> source) {
    learned = source;
  }

  /** Where each epoch's learned balancing state comes from, to keep in the checkpoint. */
  void balanceState(java.util.function.Supplier<double[]> source) {
    balance = source;
  }

  /** Whether training stopped because validation no longer improved. */
  boolean stoppedEarly() {
    return stoppedEarly;
  }

  @Override
  public boolean epochDone(int epoch, ComputationGraph g, double score) throws IOException {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("epoch", epoch + 1);
    e.put("score", score);
    e.put("seconds", (System.nanoTime() - started) / 1e9);
    if (!validation.isEmpty()) {
      validate(epoch, g, e);
    }
    e.put("taskWeights", byTask(TaskLossWeights.read(g)));
    double[] learnedWeights = learned.get();
    if (learnedWeights.length > 0) {
      e.put("learnedTaskWeights", byTask(learnedWeights));
    }
    if (weighting.mode() == TrainConfig.Weighting.DWA
        || weighting.mode() == TrainConfig.Weighting.INVERSE_LOSS) {
      reweigh(epoch, g, e);
    }
    history.add(e);
    checkpoints.write(
        g,
        new Checkpoints.State(
            epoch, stopping.bestEpoch(), stopping.best(), history, balance.get()));
    HadoopFiles.writeString(
        hadoop, runDir + "/" + RunFolder.HISTORY_FILE, TrainJob.JSON.writeValueAsString(history));
    if (stopping.shouldStop(epoch)) {
      LOG.info(
          "stopping early after epoch {}: no epoch kept (better validation objective) in {} epochs",
          epoch + 1,
          config.train().patience());
      stoppedEarly = true;
      return false;
    }
    return true;
  }

  /** Evaluates the validation split into {@code e}; writes the model when it is the best so far. */
  private void validate(int epoch, ComputationGraph g, Map<String, Object> e) throws IOException {
    long t0 = System.nanoTime();
    JobLabels.describe(jsc, "train", "validation after epoch " + (epoch + 1));
    List<TaskMetrics> metrics =
        TaskEvaluator.evaluate(jsc, g, manifest.featurizers().tasks(), validation, workers);
    double objective = ValidationObjective.of(metrics, config.train().objectiveWeights());
    e.put("validationObjective", objective);
    e.put("validation", metrics);
    if (stopping.record(epoch, objective)) {
      ModelFiles.write(hadoop, bestPath(runDir), g);
    }
    LOG.info(
        String.format(
            "epoch %d validation: objective %.4f (kept: epoch %d, %.4f; best %.4f), %s, %.1fs",
            epoch + 1,
            objective,
            stopping.bestEpoch() + 1,
            stopping.best(),
            stopping.peak(),
            summary(metrics),
            (System.nanoTime() - t0) / 1e9));
  }

  /** Measures the task losses on the training sample and sets the next epoch's task weights on {@code g}. */
  private void reweigh(int epoch, ComputationGraph g, Map<String, Object> e) {
    JobLabels.describe(jsc, "train", "task losses after epoch " + (epoch + 1));
    List<TaskMetrics> onTrain =
        TaskEvaluator.evaluate(jsc, g, manifest.featurizers().tasks(), lossSample, workers);
    double[] losses = onTrain.stream().mapToDouble(TaskMetrics::loss).toArray();
    weighting.record(losses);
    double[] next = weighting.weights();
    TaskLossWeights.apply(g, next);
    e.put("taskLosses", byTask(losses));
    LOG.info(
        "epoch {} task losses {}; task weights for the next epoch ({}): {}",
        epoch + 1,
        byTask(losses),
        weighting.mode().name().toLowerCase(),
        byTask(next));
  }

  private Map<String, Double> byTask(double[] values) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int t = 0; t < values.length; t++) {
      out.put(manifest.featurizers().tasks().get(t).name(), values[t]);
    }
    return out;
  }

  private static String summary(List<TaskMetrics> metrics) {
    List<String> parts = new ArrayList<>();
    for (TaskMetrics m : metrics) {
      parts.add(
          String.format(
              "%s %s %.4f", m.task(), m.primaryMetric(), m.metrics().get(m.primaryMetric())));
    }
    return String.join(", ", parts);
  }
}
