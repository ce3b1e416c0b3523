package org.mtlspark.workers.train;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.workers.eval.TaskEvaluator;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.eval.ValidationObjective;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigWriter;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.model.TaskLossWeights;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the multi-task graph on a prepared data set and writes the run folder: {@code model.zip}
 * (DL4J, with updater state), {@code manifest.json} (the data contract the model was trained on),
 * {@code config.yaml} (the resolved configuration) and {@code training.json} (per-epoch scores).
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);
  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;

  public TrainJob(SparkSession spark) {
    this.spark = spark;
  }

  /** What training left in the run folder, besides the model. */
  public record TrainingLog(String prep, String startedAt, double seconds, long trainExamples, int bestEpoch,
      double bestObjective, boolean stoppedEarly, int resumedFromEpoch, List<Map<String, Object>> epochs) {}

  /** Asked to train into a run folder that already holds a finished model. */
  public static final class RunCompleteException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RunCompleteException(String message) {
      super(message);
    }
  }

  /**
   * Trains into {@code runDir}. After every epoch: the validation split is evaluated (every task),
   * the objective computed, the metrics history and a checkpoint written, and the best model so
   * far kept. If the run folder holds checkpoints of an interrupted run with the same
   * configuration, training resumes after the latest one. The final {@code model.zip} is the
   * epoch with the best validation objective.
   */
  public ComputationGraph run(MtlConfig config, String prepDir, String runDir) throws IOException {
    return run(config, prepDir, runDir, null);
  }

  /**
   * As {@link #run(MtlConfig, String, String)}, starting from the parameters of {@code warmStart}
   * (when not null, and not resuming): a model of the same configuration trained before, on data
   * prepared with the same featurizers. The updater state starts fresh.
   */
  public ComputationGraph run(MtlConfig config, String prepDir, String runDir, ComputationGraph warmStart)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Manifest manifest = Manifest.read(hadoop, prepDir);
    if (HadoopFiles.exists(hadoop, runDir + "/" + RunFolder.MODEL_FILE)) {
      throw new RunCompleteException("the run " + runDir + " is already complete (it holds " + RunFolder.MODEL_FILE
          + "); choose another --out");
    }
    HadoopFiles.checkWritable(hadoop, runDir + "/" + RunFolder.MODEL_FILE);
    if (manifest.batchSize() != config.prep().batchSize()) {
      LOG.info("training with the prepared batch size {} (prep.batchSize in this configuration is {})",
          manifest.batchSize(), config.prep().batchSize());
    }
    List<String> batches = manifest.batches(hadoop, prepDir, "train");
    List<String> validation = manifest.splits().get("validation").batches() > 0
        ? manifest.batches(hadoop, prepDir, "validation") : List.of();

    Checkpoints checkpoints = new Checkpoints(hadoop, runDir);
    Optional<Checkpoints.Restored> restored = checkpoints.latest();
    ComputationGraph graph;
    int startEpoch;
    List<Map<String, Object>> history = new ArrayList<>();
    EarlyStopping stopping;
    if (restored.isPresent()) {
      checkResumable(hadoop, config, manifest, runDir);
      graph = restored.get().graph();
      Checkpoints.State st = restored.get().state();
      startEpoch = st.epoch() + 1;
      history.addAll(st.history());
      stopping = new EarlyStopping(config.train().patience(), st.bestObjective(), st.bestEpoch());
      LOG.info("resuming {} after epoch {} from its latest checkpoint", runDir, startEpoch);
    } else {
      graph = GraphBuilder.build(manifest.featurizers(), config.model(), config.train(), config.run().seed());
      if (warmStart != null) {
        if (warmStart.numParams() != graph.numParams()) {
          throw new IllegalArgumentException("cannot warm-start: the model has " + warmStart.numParams()
              + " parameters, this configuration and data make " + graph.numParams());
        }
        graph.setParams(warmStart.params());
        LOG.info("starting from the parameters of an earlier model");
      }
      startEpoch = 0;
      stopping = new EarlyStopping(config.train().patience(), Double.NEGATIVE_INFINITY, -1);
      manifest.write(hadoop, runDir);
      HadoopFiles.writeString(hadoop, runDir + "/" + RunFolder.CONFIG_FILE, ConfigWriter.toYaml(config));
    }
    int workers = TrainingWorkers.resolve(jsc, config.train());
    LOG.info("training {} parameters on {} batches of {} ({} examples) with {} workers ({} engine), averaging every "
        + "{} batches", graph.numParams(), batches.size(), manifest.batchSize(),
        manifest.splits().get("train").examples(), workers,
        config.train().engine().name().toLowerCase(), config.train().averagingFrequency());

    String startedAt = Instant.now().toString();
    long started = System.nanoTime();
    String bestPath = runDir + "/" + RunFolder.CHECKPOINTS + "/best-model.zip";
    boolean[] stoppedEarly = {false};
    ModalityDropout dropout = new ModalityDropout(config.train().modalityDropout(), manifest.featurizers(),
        config.run().seed());
    TaskWeighting weighting = weighting(config.train(), manifest);
    List<String> lossSample = spread(batches, LOSS_SAMPLE_BATCHES);
    for (Map<String, Object> past : history) {
      if (past.get("taskLosses") instanceof Map<?, ?> losses) {
        weighting.record(manifest.featurizers().tasks().stream()
            .mapToDouble(t -> ((Number) losses.get(t.name())).doubleValue()).toArray());
      }
    }
    if (restored.isEmpty()) {
      TaskLossWeights.apply(graph, weighting.weights());
    }
    GraphTrainer trainer = trainer(jsc, config.train(), manifest.batchSize(), config.run().seed(), dropout);
    trainer.fit(graph, batches, startEpoch, (epoch, g, score) -> {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("epoch", epoch + 1);
      e.put("score", score);
      e.put("seconds", (System.nanoTime() - started) / 1e9);
      if (!validation.isEmpty()) {
        long t0 = System.nanoTime();
        JobLabels.describe(jsc, "train", "validation after epoch " + (epoch + 1));
        List<TaskMetrics> metrics = TaskEvaluator.evaluate(jsc, g, manifest.featurizers().tasks(), validation,
            workers);
        double objective = ValidationObjective.of(metrics, config.train().objectiveWeights());
        e.put("validationObjective", objective);
        e.put("validation", metrics);
        if (stopping.record(epoch, objective)) {
          ModelFiles.write(hadoop, bestPath, g);
        }
        LOG.info(String.format("epoch %d validation: objective %.4f (best %.4f at epoch %d), %s, %.1fs", epoch + 1,
            objective, stopping.best(), stopping.bestEpoch() + 1, summary(metrics), (System.nanoTime() - t0) / 1e9));
      }
      e.put("taskWeights", byTask(manifest, TaskLossWeights.read(g)));
      if (weighting.mode() != TrainConfig.Weighting.STATIC) {
        JobLabels.describe(jsc, "train", "task losses after epoch " + (epoch + 1));
        List<TaskMetrics> onTrain = TaskEvaluator.evaluate(jsc, g, manifest.featurizers().tasks(), lossSample,
            workers);
        double[] losses = onTrain.stream().mapToDouble(TaskMetrics::loss).toArray();
        weighting.record(losses);
        double[] next = weighting.weights();
        TaskLossWeights.apply(g, next);
        e.put("taskLosses", byTask(manifest, losses));
        LOG.info("epoch {} task losses {}; task weights for the next epoch ({}): {}", epoch + 1,
            byTask(manifest, losses), weighting.mode().name().toLowerCase(), byTask(manifest, next));
      }
      history.add(e);
      checkpoints.write(g, new Checkpoints.State(epoch, stopping.bestEpoch(), stopping.best(), history));
      HadoopFiles.writeString(hadoop, runDir + "/" + RunFolder.HISTORY_FILE, JSON.writeValueAsString(history));
      if (stopping.shouldStop(epoch)) {
        LOG.info("stopping early after epoch {}: no better validation objective in {} epochs", epoch + 1,
            config.train().patience());
        stoppedEarly[0] = true;
        return false;
      }
      return true;
    });
    double seconds = (System.nanoTime() - started) / 1e9;

    ComputationGraph finalModel = graph;
    if (stopping.bestEpoch() >= 0 && HadoopFiles.exists(hadoop, bestPath)) {
      finalModel = ModelFiles.read(hadoop, bestPath);
      LOG.info("the final model is epoch {}, the best on validation", stopping.bestEpoch() + 1);
    }
    ModelFiles.write(hadoop, runDir + "/" + RunFolder.MODEL_FILE, finalModel);
    HadoopFiles.writeString(hadoop, runDir + "/" + RunFolder.TRAINING_FILE, JSON.writeValueAsString(
        new TrainingLog(prepDir, startedAt, seconds, manifest.splits().get("train").examples(),
            stopping.bestEpoch() + 1, stopping.best(), stoppedEarly[0], startEpoch, history)));
    LOG.info("trained in {}s; model, manifest and resolved configuration written to {}",
        String.format("%.1f", seconds), runDir);
    return finalModel;
  }

  /** Batches of the training split on which task losses are measured between epochs. */
  static final int LOSS_SAMPLE_BATCHES = 64;

  /** The task weighting of a run: configured weights, the label-rate compensation, the dynamic mode. */
  static TaskWeighting weighting(TrainConfig train, Manifest manifest) {
    List<TaskEncoding> tasks = manifest.featurizers().tasks();
    double[] configured = tasks.stream().mapToDouble(TaskEncoding::weight).toArray();
    double[] rates = null;
    if (train.compensateLabelRate()) {
      Manifest.SplitSummary s = manifest.splits().get("train");
      rates = tasks.stream().mapToDouble(t -> (double) s.labelled().get(t.name()) / Math.max(1, s.examples()))
          .toArray();
    }
    return new TaskWeighting(train.taskWeighting(), train.dwaTemperature(), configured, rates);
  }

  /** At most {@code n} evenly spaced elements of {@code all}, in order. */
  static List<String> spread(List<String> all, int n) {
    if (all.size() <= n) {
      return all;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(all.get((int) ((long) i * all.size() / n)));
    }
    return out;
  }

  private static Map<String, Double> byTask(Manifest manifest, double[] values) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (int t = 0; t < values.length; t++) {
      out.put(manifest.featurizers().tasks().get(t).name(), values[t]);
    }
    return out;
  }

  private static String summary(List<TaskMetrics> metrics) {
    List<String> parts = new ArrayList<>();
    for (TaskMetrics m : metrics) {
      parts.add(String.format("%s %s %.4f", m.task(), m.primaryMetric(), m.metrics().get(m.primaryMetric())));
    }
    return String.join(", ", parts);
  }

  /** Resuming needs the same data and the same configuration, except how long to train. */
  private static void checkResumable(Configuration hadoop, MtlConfig config, Manifest manifest, String runDir)
      throws IOException {
    Manifest trained = Manifest.read(hadoop, runDir);
    if (!trained.featurizers().equals(manifest.featurizers())) {
      throw new RunCompleteException("cannot resume " + runDir + ": it was trained on other prepared data");
    }
    MtlConfig saved = ConfigLoader.load(List.of(runDir + "/" + RunFolder.CONFIG_FILE), List.of());
    if (!withoutLength(saved).equals(withoutLength(config))) {
      throw new RunCompleteException("cannot resume " + runDir + ": it was started with another configuration "
          + "(only train.epochs and train.patience may change); see " + runDir + "/" + RunFolder.CONFIG_FILE);
    }
  }

  @SuppressWarnings("unchecked")
  private static Object withoutLength(MtlConfig c) {
    Map<String, Object> tree = (Map<String, Object>) ConfigWriter.toTree(c);
    Map<String, Object> train = (Map<String, Object>) tree.get("train");
    train.remove("epochs");
    train.remove("patience");
    tree.remove("generate");
    return tree;
  }

  /** The trainer the configuration asks for. */
  public static GraphTrainer trainer(JavaSparkContext jsc, TrainConfig train, int batchSize, long seed) {
    return trainer(jsc, train, batchSize, seed, ModalityDropout.none(null));
  }

  /** The trainer of the configured engine, applying {@code dropout} to every training batch. */
  public static GraphTrainer trainer(JavaSparkContext jsc, TrainConfig train, int batchSize, long seed,
      ModalityDropout dropout) {
    return switch (train.engine()) {
      case RESIDENT -> new ResidentAveragingTrainer(jsc, TrainingWorkers.resolve(jsc, train), train.averagingFrequency(), train.epochs(),
          seed, dropout);
      case DL4J -> new ParameterAveragingTrainer(jsc, train, batchSize, seed, dropout);
    };
  }
}
