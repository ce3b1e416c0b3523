package org.mtlspark.workers.train;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.ConfigWriter;
import org.mtlspark.config.ModelConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.WordVectors;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.model.ExpertGates;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.model.ImportedEncoder;
import org.mtlspark.workers.model.MixtureOfExperts;
import org.mtlspark.workers.model.PretrainedEncoders;
import org.mtlspark.workers.model.TaskLossWeights;
import org.mtlspark.workers.run.EncoderFiles;
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
  public record TrainingLog(
      String prep,
      String startedAt,
      double seconds,
      long trainExamples,
      int bestEpoch,
      double bestObjective,
      boolean stoppedEarly,
      int resumedFromEpoch,
      List<Map<String, Object>> epochs) {}

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
  public ComputationGraph run(
      MtlConfig config, String prepDir, String runDir, ComputationGraph warmStart)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Manifest manifest = Manifest.read(hadoop, prepDir);
    config = withTextVectorsWidth(config, manifest);
    checkNotComplete(hadoop, runDir);
    if (manifest.batchSize() != config.prep().batchSize()) {
      LOG.info(
          "training with the prepared batch size {} (prep.batchSize in this configuration is {})",
          manifest.batchSize(),
          config.prep().batchSize());
    }
    List<String> batches = manifest.batches(hadoop, prepDir, "train");
    List<String> validation =
        manifest.splits().get("validation").batches() > 0
            ? manifest.batches(hadoop, prepDir, "validation")
            : List.of();

    Checkpoints checkpoints = new Checkpoints(hadoop, runDir);
    int workers = TrainingWorkers.resolve(jsc, config.train());
    int stepsPerEpoch = (batches.size() + workers - 1) / workers;
    Start start =
        startOrResume(
            hadoop, config, manifest, prepDir, runDir, checkpoints, warmStart, stepsPerEpoch);
    ComputationGraph graph = start.graph();
    LOG.info(
        "training {} parameters on {} batches of {} ({} examples) with {} workers ({} engine), averaging every "
            + "{} batches",
        graph.numParams(),
        batches.size(),
        manifest.batchSize(),
        manifest.splits().get("train").examples(),
        workers,
        config.train().engine().name().toLowerCase(),
        config.train().averagingFrequency());

    String startedAt = Instant.now().toString();
    long started = System.nanoTime();
    ModalityDropout dropout =
        new ModalityDropout(
            config.train().modalityDropout(), manifest.featurizers(), config.run().seed());
    TaskWeighting weighting = weighting(config.train(), manifest, start.history());
    if (!start.resumed()) {
      TaskLossWeights.apply(graph, weighting.weights());
    }
    EpochEnd epochEnd =
        new EpochEnd(
            jsc,
            hadoop,
            config,
            manifest,
            runDir,
            validation,
            spread(batches, LOSS_SAMPLE_BATCHES),
            workers,
            weighting,
            start.stopping(),
            start.history(),
            checkpoints,
            started);
    GraphTrainer trainer =
        trainer(jsc, config.train(), manifest.batchSize(), config.run().seed(), dropout);
    if (trainer instanceof ResidentAveragingTrainer resident) {
      epochEnd.learnedWeights(resident::learnedWeights);
      epochEnd.balanceState(resident::balanceState);
      resident.resumeBalance(start.balance());
    }
    trainer.fit(graph, batches, start.epoch(), epochEnd);
    double seconds = (System.nanoTime() - started) / 1e9;

    ComputationGraph trained =
        finish(
            hadoop,
            runDir,
            graph,
            start,
            new TrainingLog(
                prepDir,
                startedAt,
                seconds,
                manifest.splits().get("train").examples(),
                start.stopping().bestEpoch() + 1,
                start.stopping().best(),
                epochEnd.stoppedEarly(),
                start.epoch(),
                start.history()));
    logGates(hadoop, trained, validation.isEmpty() ? batches : validation, manifest);
    return trained;
  }

  /** Batches on which the mean gate of each task is measured after training. */
  static final int GATE_SAMPLE_BATCHES = 16;

  /**
   * With experts ({@code model.sharing: mmoe} or {@code ple}), logs each gate's mean weights, per
   * layer of experts: a task's own experts, then the shared ones.
   */
  private static void logGates(
      Configuration hadoop, ComputationGraph graph, List<String> batches, Manifest manifest) {
    if (ExpertGates.layers(graph).isEmpty()) {
      return;
    }
    Map<String, double[][]> gates;
    try {
      gates =
          ExpertGates.mean(graph, BatchFiles.readAll(hadoop, spread(batches, GATE_SAMPLE_BATCHES)));
    } catch (IOException | RuntimeException e) {
      // A diagnostic only: the model is written already, so training has succeeded.
      LOG.warn("could not measure the experts' gates: {}", e.toString());
      return;
    }
    List<TaskEncoding> tasks = manifest.featurizers().tasks();
    for (var layer : gates.entrySet()) {
      MixtureOfExperts conf = ExpertGates.conf(graph, layer.getKey());
      double[][] g = layer.getValue();
      for (int k = 0; k < g.length; k++) {
        int own = k < tasks.size() ? conf.taskExperts() : conf.tasks() * conf.taskExperts();
        LOG.info(
            "{}: {} gate: {}shared experts {}",
            layer.getKey(),
            k < tasks.size() ? "task " + tasks.get(k).name() + "'s" : "the shared",
            own == 0
                ? ""
                : (k < tasks.size() ? "own experts " : "task experts ")
                    + format(java.util.Arrays.copyOfRange(g[k], 0, own))
                    + ", ",
            format(java.util.Arrays.copyOfRange(g[k], own, g[k].length)));
      }
    }
  }

  private static String format(double[] weights) {
    return java.util.Arrays.stream(weights)
        .mapToObj(v -> String.format("%.3f", v))
        .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
  }

  /**
   * Where training begins: the graph, its first epoch, the epochs so far, the early-stopping
   * state, and a resumed run's learned balancing state (null when there is none).
   */
  private record Start(
      ComputationGraph graph,
      int epoch,
      List<Map<String, Object>> history,
      EarlyStopping stopping,
      boolean resumed,
      double[] balance) {}

  /** Refuses a run folder that holds a finished model, or one that cannot be written. */
  private static void checkNotComplete(Configuration hadoop, String runDir) throws IOException {
    if (HadoopFiles.exists(hadoop, runDir + "/" + RunFolder.MODEL_FILE)) {
      throw new RunCompleteException(
          "the run "
              + runDir
              + " is already complete (it holds "
              + RunFolder.MODEL_FILE
              + "); choose another --out");
    }
    HadoopFiles.checkWritable(hadoop, runDir + "/" + RunFolder.MODEL_FILE);
  }

  /** How the pretrained parts train, for the log: frozen throughout, or for N epochs, then at a factor. */
  private static String freezing(TrainConfig.Pretrained p, int epochs) {
    return p.frozenEpochs() >= epochs
        ? " frozen throughout"
        : (p.frozenEpochs() > 0 ? " frozen for " + p.frozenEpochs() + " epoch(s), then" : "")
            + " trained at "
            + p.rateFactor()
            + " times the learning rate";
  }

  /**
   * The model file of {@code from} ({@code train.pretrained.from}: a run folder of train or a
   * registry version, each holding {@link RunFolder#MODEL_FILE}); refuses a folder without one.
   */
  public static String pretrainedModel(Configuration hadoop, String from) throws IOException {
    String file = from.replaceAll("/+$", "") + "/" + RunFolder.MODEL_FILE;
    if (!HadoopFiles.exists(hadoop, file)) {
      throw new ConfigException(
          "train.pretrained.from",
          List.of(
              from
                  + " holds no "
                  + RunFolder.MODEL_FILE
                  + ": give a run folder of train or a registry version"));
    }
    return file;
  }

  /**
   * Resumes after the latest checkpoint when there is one (same data and configuration); otherwise
   * builds the graph (from {@code warmStart}'s parameters when given) and writes the manifest and
   * the resolved configuration into the run folder.
   */
  private static Start startOrResume(
      Configuration hadoop,
      MtlConfig config,
      Manifest manifest,
      String prepDir,
      String runDir,
      Checkpoints checkpoints,
      ComputationGraph warmStart,
      int stepsPerEpoch)
      throws IOException {
    Optional<Checkpoints.Restored> restored = checkpoints.latest();
    if (restored.isPresent()) {
      checkResumable(hadoop, config, manifest, runDir);
      Checkpoints.State st = restored.get().state();
      int startEpoch = st.epoch() + 1;
      LOG.info("resuming {} after epoch {} from its latest checkpoint", runDir, startEpoch);
      return new Start(
          restored.get().graph(),
          startEpoch,
          new ArrayList<>(st.history()),
          EarlyStopping.resumed(config.train(), st.bestObjective(), st.bestEpoch(), st.history()),
          true,
          st.balance());
    }
    Manifest.TextVectors vectors =
        GraphBuilder.readsTextEncoder(manifest.featurizers(), config.model())
            ? manifest.textVectors()
            : null;
    if (vectors == null && manifest.textVectors() != null) {
      LOG.warn(
          "the prepared data has word vectors ({}), but no text encoder reads the text: unused",
          manifest.textVectors().source());
    }
    // A warm start carries the earlier model's trained embedding and encoders: they train as any
    // layer.
    boolean pretrained = vectors != null && warmStart == null;
    TrainConfig.Pretrained p0 = config.train().pretrained();
    Set<String> fromModel =
        p0.hasSource() && warmStart == null
            ? PretrainedEncoders.layers(config.model(), p0.parts())
            : Set.of();
    Set<String> pretrainedLayers = new LinkedHashSet<>(fromModel);
    if (pretrained) {
      pretrainedLayers.add(GraphBuilder.TEXT_EMBEDDING);
    }
    // An image encoder from elsewhere: its layers are part of the network's structure, so a warm
    // start reads the file too, then takes their parameters from the earlier model and trains
    // them as any layer.
    ImportedEncoder imported =
        p0.image().given()
            ? EncoderFiles.read(hadoop, p0.image(), manifest.featurizers(), config.run().seed())
            : null;
    if (imported != null && warmStart == null) {
      pretrainedLayers.addAll(imported.layers());
    }
    ComputationGraph graph =
        GraphBuilder.build(
            manifest.featurizers(),
            config.model(),
            config.train(),
            config.run().seed(),
            stepsPerEpoch,
            pretrainedLayers,
            imported);
    if (imported != null && graph.getVertex(ImportedEncoder.INPUT) == null) {
      LOG.warn(
          "train.pretrained.image imports {}, but nothing reads the image (model.fuse, or only"
              + " token and retrieval tasks): unused",
          imported.source());
    } else if (imported != null && warmStart == null) {
      LOG.info(
          "image encoder from {}, cut at {}: {} parameters of {};{}{}",
          imported.source(),
          p0.image().layer(),
          imported.parameters(),
          imported.layers(),
          p0.image().frozenUpTo().isEmpty() ? "" : " up to " + p0.image().frozenUpTo(),
          freezing(p0, config.train().epochs())
              + (p0.image().frozenUpTo().isEmpty()
                  ? ""
                  : "; the layers after it trained at "
                      + p0.rateFactor()
                      + " times the learning rate from the start"));
    }
    if (!fromModel.isEmpty()) {
      if (pretrained && fromModel.contains(GraphBuilder.TEXT_EMBEDDING)) {
        throw new ConfigException(
            "train.pretrained.parts",
            List.of(
                "the prepared data "
                    + prepDir
                    + " has word vectors ("
                    + vectors.source()
                    + ") for the text embedding, and parts takes it from "
                    + p0.from()
                    + ": start it from one of them (prepare without prep.text.vectors, or leave"
                    + " text out of parts)"));
      }
      ComputationGraph source = ModelFiles.read(hadoop, pretrainedModel(hadoop, p0.from()));
      FeaturizerState theirs = Manifest.read(hadoop, p0.from()).featurizers();
      List<String> differences =
          PretrainedEncoders.featureDifferences(theirs, manifest.featurizers(), p0.parts());
      if (!differences.isEmpty()) {
        throw new ConfigException("train.pretrained.from " + p0.from(), differences);
      }
      PretrainedEncoders.Vocabularies vocabularies =
          p0.parts().contains(ModelInputs.TEXT)
              ? new PretrainedEncoders.Vocabularies(
                  theirs.vocabulary(), manifest.featurizers().vocabulary())
              : null;
      PretrainedEncoders.Copied copied =
          PretrainedEncoders.copy(source, p0.from(), graph, fromModel, vocabularies);
      LOG.info(
          "{} encoder(s) from {}: {} parameters of {}{};{}",
          p0.parts(),
          p0.from(),
          copied.parameters(),
          copied.layers(),
          vocabularies == null
              ? ""
              : String.format(
                  " (%d of %d vocabulary tokens have a row there)",
                  copied.tokens(), vocabularies.here().size()),
          freezing(p0, config.train().epochs()));
    }
    if (pretrained) {
      TrainConfig.Pretrained p = config.train().pretrained();
      GraphBuilder.TextVectorsSet set =
          GraphBuilder.setTextVectors(
              graph, WordVectors.load(hadoop, prepDir + "/" + vectors.file()), p.fixedScale());
      LOG.info(
          "text embedding: {} of {} vocabulary tokens from the word vectors of {} (times {}{});{}",
          set.rows(),
          vectors.tokens(),
          vectors.source(),
          String.format("%.4g", set.scale()),
          p.autoScale() ? ", the spread of the random rows" : "",
          freezing(p, config.train().epochs()));
    }
    List<String> unread = GraphBuilder.unreadModalities(manifest.featurizers(), config.model());
    if (!unread.isEmpty()) {
      LOG.info(
          "no task reads {}: prepared, but left without an encoder (model.fuse, or only token and"
              + " retrieval tasks)",
          unread);
    }
    if (warmStart != null) {
      if (warmStart.numParams() != graph.numParams()) {
        throw new IllegalArgumentException(
            "cannot warm-start: the model has "
                + warmStart.numParams()
                + " parameters, this configuration and data make "
                + graph.numParams());
      }
      graph.setParams(warmStart.params());
      LOG.info("starting from the parameters of an earlier model");
    }
    manifest.write(hadoop, runDir);
    HadoopFiles.writeString(
        hadoop, runDir + "/" + RunFolder.CONFIG_FILE, ConfigWriter.toYaml(config));
    return new Start(graph, 0, new ArrayList<>(), EarlyStopping.fresh(config.train()), false, null);
  }

  /**
   * {@code config} with {@code model.textEmbedding} the width of the prepared data's word vectors
   * when it has some (logged when that changes it).
   */
  public static MtlConfig withTextVectorsWidth(MtlConfig config, Manifest manifest) {
    Manifest.TextVectors vectors = manifest.textVectors();
    if (vectors == null
        || vectors.dimension() == config.model().textEmbedding()
        || !GraphBuilder.readsTextEncoder(manifest.featurizers(), config.model())) {
      return config;
    }
    if (config.model().textEncoder() == ModelConfig.TextEncoder.ATTENTION
        && vectors.dimension() % config.model().textHeads() != 0) {
      throw new IllegalArgumentException(
          "the word vectors of "
              + vectors.source()
              + " have "
              + vectors.dimension()
              + " values, which model.textHeads ("
              + config.model().textHeads()
              + ") must divide with textEncoder: attention; set model.textHeads to a divisor of "
              + vectors.dimension());
    }
    LOG.info(
        "model.textEmbedding: {} (the word vectors' width) instead of {}",
        vectors.dimension(),
        config.model().textEmbedding());
    return config.withModel(config.model().withTextEmbedding(vectors.dimension()));
  }

  /**
   * Writes the final model (the epoch best on validation when one was kept, otherwise the last
   * trained graph) and {@code training.json}; returns the final model.
   */
  private static ComputationGraph finish(
      Configuration hadoop, String runDir, ComputationGraph trained, Start start, TrainingLog log)
      throws IOException {
    ComputationGraph finalModel = trained;
    String bestPath = EpochEnd.bestPath(runDir);
    if (start.stopping().bestEpoch() >= 0 && HadoopFiles.exists(hadoop, bestPath)) {
      finalModel = ModelFiles.read(hadoop, bestPath);
      LOG.info(
          "the final model is epoch {}, the best on validation", start.stopping().bestEpoch() + 1);
    }
    ModelFiles.write(hadoop, runDir + "/" + RunFolder.MODEL_FILE, finalModel);
    HadoopFiles.writeString(
        hadoop, runDir + "/" + RunFolder.TRAINING_FILE, JSON.writeValueAsString(log));
    LOG.info(
        "trained in {}s; model, manifest and resolved configuration written to {}",
        String.format("%.1f", log.seconds()),
        runDir);
    return finalModel;
  }

  /** Batches of the training split on which task losses are measured between epochs. */
  static final int LOSS_SAMPLE_BATCHES = 64;

  /** A run's task weighting, having seen the task losses of the epochs so far (when resuming). */
  private static TaskWeighting weighting(
      TrainConfig train, Manifest manifest, List<Map<String, Object>> history) {
    TaskWeighting weighting = weighting(train, manifest);
    for (Map<String, Object> past : history) {
      if (past.get("taskLosses") instanceof Map<?, ?> losses) {
        weighting.record(
            manifest.featurizers().tasks().stream()
                .mapToDouble(t -> ((Number) losses.get(t.name())).doubleValue())
                .toArray());
      }
    }
    return weighting;
  }

  /** The task weighting of a run: configured weights, the label-rate compensation, the dynamic mode. */
  static TaskWeighting weighting(TrainConfig train, Manifest manifest) {
    List<TaskEncoding> tasks = manifest.featurizers().tasks();
    double[] configured = tasks.stream().mapToDouble(TaskEncoding::weight).toArray();
    double[] rates = null;
    if (train.compensateLabelRate()) {
      Manifest.SplitSummary s = manifest.splits().get("train");
      rates =
          tasks.stream()
              .mapToDouble(t -> (double) s.labelled().get(t.name()) / Math.max(1, s.examples()))
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

  /** Resuming needs the same data and the same configuration, except how long to train. */
  private static void checkResumable(
      Configuration hadoop, MtlConfig config, Manifest manifest, String runDir) throws IOException {
    Manifest trained = Manifest.read(hadoop, runDir);
    if (!trained.featurizers().equals(manifest.featurizers())) {
      throw new RunCompleteException(
          "cannot resume " + runDir + ": it was trained on other prepared data");
    }
    MtlConfig saved = ConfigLoader.load(List.of(runDir + "/" + RunFolder.CONFIG_FILE), List.of());
    if (!withoutLength(saved).equals(withoutLength(config))) {
      throw new RunCompleteException(
          "cannot resume "
              + runDir
              + ": it was started with another configuration "
              + "(only train.epochs and train.patience may change); see "
              + runDir
              + "/"
              + RunFolder.CONFIG_FILE);
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
  public static GraphTrainer trainer(
      JavaSparkContext jsc, TrainConfig train, int batchSize, long seed) {
    return trainer(jsc, train, batchSize, seed, ModalityDropout.none(null));
  }

  /** The trainer of the configured engine, applying {@code dropout} to every training batch. */
  public static GraphTrainer trainer(
      JavaSparkContext jsc, TrainConfig train, int batchSize, long seed, ModalityDropout dropout) {
    return switch (train.engine()) {
      case RESIDENT ->
          new ResidentAveragingTrainer(
                  jsc,
                  TrainingWorkers.resolve(jsc, train),
                  train.averagingFrequency(),
                  train.epochs(),
                  seed,
                  dropout)
              .withWorkerResources(train.fixedNativeThreads(), train.batchMemoryBytes())
              .withBalancing(
                  train.taskWeighting(), train.gradNormAlpha(), train.weightLearningRate());
      case DL4J -> {
        if (train.taskWeighting().perStep()) {
          throw new IllegalArgumentException(
              "train.taskWeighting: "
                  + train.taskWeighting().configName()
                  + " acts inside each worker's step and needs train.engine: resident");
        }
        yield new ParameterAveragingTrainer(jsc, train, batchSize, seed, dropout);
      }
    };
  }
}
