package org.mtlspark.operate.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.ConfigWriter;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled retraining of a registered model, under the model's retrain lock: prepare the data
 * of this run, warm-start from the promoted version when its configuration (data, prep, model,
 * tasks) is this one's (preparing with its featurizers), otherwise train fresh and say why;
 * evaluate the new model and the promoted one on the same test split; register the new version
 * with the decision ({@link PromotionDecision}); promote it only if that says so and the promoted
 * version is still the one it was compared with.
 *
 * <p>A run is identified by its run id, and running it again finishes it: a version registered
 * for the run id is not trained again (its recorded decision is carried out if a crash stopped it
 * before the promotion); otherwise the prepared data and a finished model of an earlier attempt
 * are reused when they were made the same way, training resumes from its checkpoints, and the
 * rest is redone.
 *
 * <p>Work folders: {@code WORK/RUNID/retrain-run.json} (what the run is, written first: a folder
 * without it is never touched), {@code prep}, {@code run}, {@code prep-promoted} (the holdout
 * prepared with the promoted model's featurizers, when they differ) and {@code retrain.json}.
 */
public final class RetrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The marker of a retrain's work folder. */
  public static final String RUN_FILE = "retrain-run.json";

  /** What a retrain did. */
  public enum Outcome {
    PROMOTED,
    NOT_PROMOTED
  }

  /** The steps of a retrain, in order. */
  public enum Step {
    PREP,
    TRAIN,
    EVALUATE,
    REGISTER,
    PROMOTE
  }

  /**
   * @param version the version this run registered (or had registered before)
   * @param promotedBefore the version promoted when the run started, or null
   * @param warmStartedFrom the version training started from, or null when it trained fresh
   * @param warmStart how training started, as a sentence: "warm start from VERSION", or why it trained fresh
   * @param newObjective and {@code promotedObjective}: the objective on the test split (the promoted
   *     model's NaN when it was not evaluated)
   * @param newMetrics and {@code promotedMetrics}: primary test metric per task
   */
  public record Result(
      Outcome outcome,
      String reason,
      String runId,
      String version,
      String promotedBefore,
      boolean alreadyDone,
      String warmStartedFrom,
      String warmStart,
      double newObjective,
      double promotedObjective,
      Map<String, Double> newMetrics,
      Map<String, Double> promotedMetrics) {}

  /** What the retrain is told. */
  public record Request(
      String name,
      String runId,
      String dataRoot,
      String workDir,
      double tolerance,
      Duration staleLock) {}

  /**
   * What a run is, kept in its work folder: a retry must be the same run.
   *
   * @param prepared how {@code prep} was featurized ("fresh", or "warm from VERSION"), or null
   * @param trained the same for the finished model in {@code run}, or null
   */
  record RunState(
      String name,
      String runId,
      String registry,
      String dataRoot,
      String configSha256,
      String started,
      String prepared,
      String trained) {
    RunState with(String prep, String train) {
      return new RunState(name, runId, registry, dataRoot, configSha256, started, prep, train);
    }
  }

  private final SparkSession spark;
  private Consumer<Step> afterStep = step -> {};

  public RetrainJob(SparkSession spark) {
    this.spark = spark;
  }

  /** Calls {@code listener} after each step completes (progress reports; tests stop a run there). */
  public RetrainJob afterEachStep(Consumer<Step> listener) {
    this.afterStep = listener;
    return this;
  }

  public Result run(MtlConfig config, ModelRegistry registry, Request request) throws IOException {
    String name = ModelRegistry.checkName(request.name());
    String runId = ModelRegistry.checkName(request.runId());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    try (RegistryLock lock = registry.lock(name, "retrain " + runId, request.staleLock())) {
      ModelRegistry.Cleaned cleaned = registry.gc(name, request.staleLock());
      cleaned
          .kept()
          .forEach(
              k ->
                  LOG.warn(
                      "the damaged version {} of {} is promoted; it stays until it is rolled "
                          + "back",
                      k,
                      name));
      Optional<ModelVersion> done = registry.findRun(name, runId);
      if (done.isPresent()) {
        return finishRegistered(registry, name, runId, done.get(), lock);
      }
      String work = request.workDir() + "/" + runId;
      RunState state = openWork(hadoop, config, registry, request, work);
      String prep = work + "/prep";
      String run = work + "/run";
      Optional<String> promotedVersion = registry.promoted(name);
      WarmStart warm =
          warmStart(
              hadoop,
              config,
              promotedVersion,
              promotedVersion.isPresent() ? registry.resolve(name, null) : null);
      LOG.info("retrain {} of {}: {}", runId, name, warm.reason());

      Prepared prepared = prepare(hadoop, config, request, work, state, warm);
      afterStep.accept(Step.PREP);
      train(hadoop, config, work, prepared.state(), warm);
      afterStep.accept(Step.TRAIN);

      EvaluateJob.Report fresh =
          new EvaluateJob(spark)
              .run(run, prep, "test", TrainingWorkers.resolve(spark, config.train()));
      Holdout old = evaluatePromoted(hadoop, config, request, work, warm);
      afterStep.accept(Step.EVALUATE);
      PromotionDecision decision =
          PromotionDecision.decide(
              fresh,
              old.report(),
              promotedVersion.orElse(null),
              old.notComparable(),
              request.tolerance(),
              config.train().objectiveWeights());

      lock.check();
      ModelVersion version =
          registry.register(
              name,
              run,
              runId,
              DataFingerprint.describe(spark, config, request.dataRoot(), prepared.manifest()),
              decision.newObjective(),
              warm.from(),
              new ModelVersion.Decision(
                  decision.promote(), decision.reason(), promotedVersion.orElse(null)));
      afterStep.accept(Step.REGISTER);
      Outcome outcome = Outcome.NOT_PROMOTED;
      String reason = decision.reason();
      if (decision.promote()) {
        lock.check();
        try {
          registry.promote(name, version.version(), "retrain " + runId, promotedVersion);
          outcome = Outcome.PROMOTED;
        } catch (ModelRegistry.PointerMovedException e) {
          reason = reason + "; but not promoted: " + e.getMessage();
        }
      }
      afterStep.accept(Step.PROMOTE);
      Result result =
          new Result(
              outcome,
              reason,
              runId,
              version.version(),
              promotedVersion.orElse(null),
              false,
              warm.from(),
              warm.reason(),
              decision.newObjective(),
              decision.promotedObjective(),
              primary(fresh),
              old.report() == null ? Map.of() : primary(old.report()));
      HadoopFiles.writeString(hadoop, work + "/retrain.json", JSON.writeValueAsString(result));
      LOG.info(
          "retrain {}: {} {} ({})",
          runId,
          version.version(),
          outcome == Outcome.PROMOTED ? "promoted" : "not promoted",
          reason);
      return result;
    }
  }

  /**
   * How this run starts: from the promoted model when its configuration is this one's, on data
   * prepared its way.
   *
   * @param promoted the promoted version, or null when none is promoted
   * @param promotedDir its folder, or null
   * @param promotedManifest its manifest (its featurizers), or null
   * @param graph the promoted model to start from, or null when training fresh
   */
  private record WarmStart(
      String reason,
      String promoted,
      String promotedDir,
      Manifest promotedManifest,
      ComputationGraph graph) {
    /** The version started from, or null when training fresh. */
    String from() {
      return graph != null ? promoted : null;
    }

    /** How data and model of this start are made, as kept in {@link RunState}. */
    String origin() {
      return graph != null ? "warm from " + promoted : "fresh";
    }
  }

  private static WarmStart warmStart(
      Configuration hadoop, MtlConfig config, Optional<String> promotedVersion, String promotedDir)
      throws IOException {
    if (promotedDir == null) {
      return new WarmStart("no promoted version: training fresh", null, null, null, null);
    }
    Manifest promotedManifest = Manifest.read(hadoop, promotedDir);
    MtlConfig before =
        ConfigLoader.fromYaml(
            HadoopFiles.readString(hadoop, promotedDir + "/" + RunFolder.CONFIG_FILE), promotedDir);
    // A model trained on word vectors saved its embedding at their width: compare like with like.
    List<String> differ =
        differences(
            before,
            org.mtlspark.workers.train.TrainJob.withTextVectorsWidth(config, promotedManifest));
    if (differ.isEmpty()) {
      return new WarmStart(
          "warm start from " + promotedVersion.get(),
          promotedVersion.get(),
          promotedDir,
          promotedManifest,
          EvaluateJob.loadModel(hadoop, promotedDir));
    }
    return new WarmStart(
        "training fresh: the configuration's "
            + String.join(", ", differ)
            + " differ from "
            + promotedVersion.get()
            + "'s",
        promotedVersion.get(),
        promotedDir,
        promotedManifest,
        null);
  }

  private record Prepared(Manifest manifest, RunState state) {}

  /** The data of this run in {@code prep}: an earlier attempt's when it was prepared the same way. */
  private Prepared prepare(
      Configuration hadoop,
      MtlConfig config,
      Request request,
      String work,
      RunState state,
      WarmStart warm)
      throws IOException {
    String prep = work + "/prep";
    if (warm.origin().equals(state.prepared())
        && HadoopFiles.exists(hadoop, prep + "/" + Manifest.FILE_NAME)) {
      LOG.info(
          "retrain {}: reusing the data prepared by an earlier attempt in {}",
          request.runId(),
          prep);
      return new Prepared(Manifest.read(hadoop, prep), state);
    }
    removeOwn(hadoop, work, "prep", "run", "prep-promoted");
    state = save(hadoop, work, state.with(null, null));
    Manifest manifest =
        new PrepJob(spark)
            .run(
                config,
                request.dataRoot(),
                prep,
                warm.graph() != null ? warm.promotedManifest().featurizers() : null);
    return new Prepared(manifest, save(hadoop, work, state.with(warm.origin(), null)));
  }

  /** The model of this run in {@code run}: an earlier attempt's when it finished the same way. */
  private void train(
      Configuration hadoop, MtlConfig config, String work, RunState state, WarmStart warm)
      throws IOException {
    String run = work + "/run";
    if (warm.origin().equals(state.trained())
        && HadoopFiles.exists(hadoop, run + "/" + RunFolder.MODEL_FILE)) {
      LOG.info(
          "retrain {}: reusing the model trained by an earlier attempt in {}", state.runId(), run);
      return;
    }
    if (HadoopFiles.exists(hadoop, run + "/" + RunFolder.MODEL_FILE)) {
      removeOwn(hadoop, work, "run");
    }
    // An interrupted attempt's checkpoints in run/ are resumed by TrainJob.
    new TrainJob(spark).run(config, work + "/prep", run, warm.graph());
    save(hadoop, work, state.with(warm.origin(), warm.origin()));
  }

  /**
   * The promoted model's metrics on this run's test split, or null with the reason when it cannot
   * read this data; both null when none is promoted.
   */
  private record Holdout(EvaluateJob.Report report, String notComparable) {}

  /** The promoted model on the same holdout, featurized its own way. */
  private Holdout evaluatePromoted(
      Configuration hadoop, MtlConfig config, Request request, String work, WarmStart warm)
      throws IOException {
    if (warm.promotedDir() == null) {
      return new Holdout(null, null);
    }
    String holdout = work + "/prep";
    if (warm.graph() == null) {
      holdout = work + "/prep-promoted";
      removeOwn(hadoop, work, "prep-promoted");
      try {
        new PrepJob(spark)
            .run(config, request.dataRoot(), holdout, warm.promotedManifest().featurizers());
      } catch (PrepException e) {
        return new Holdout(
            null, "the promoted " + warm.promoted() + " cannot read this data: " + e.getMessage());
      }
    }
    return new Holdout(
        new EvaluateJob(spark)
            .evaluate(
                warm.promotedDir(),
                holdout,
                "test",
                TrainingWorkers.resolve(spark, config.train())),
        null);
  }

  /**
   * The run id is registered already: carry out its recorded decision if a crash stopped it
   * before the promotion (and the promoted version is still the one it was compared with).
   */
  private Result finishRegistered(
      ModelRegistry registry, String name, String runId, ModelVersion done, RegistryLock lock)
      throws IOException {
    Optional<ModelRegistry.Pointer> pointer = registry.pointer(name);
    boolean promoted = pointer.map(p -> p.everPromoted(done.version())).orElse(false);
    ModelVersion.Decision decision = done.decision();
    String reason;
    if (!promoted && decision != null && decision.promote()) {
      lock.check();
      try {
        registry.promote(
            name,
            done.version(),
            "retrain " + runId,
            Optional.ofNullable(decision.promotedBefore()));
        promoted = true;
        reason =
            "run id "
                + runId
                + " was registered as "
                + done.version()
                + " before a stop; promoted it now as "
                + "decided then ("
                + decision.reason()
                + ")";
      } catch (ModelRegistry.PointerMovedException e) {
        reason =
            "run id "
                + runId
                + " was registered as "
                + done.version()
                + " and was to be promoted ("
                + decision.reason()
                + "), but not now: "
                + e.getMessage();
      }
      afterStep.accept(Step.PROMOTE);
    } else {
      reason =
          "run id "
              + runId
              + " was already trained as "
              + done.version()
              + " ("
              + (promoted
                  ? "promoted"
                  : "not promoted" + (decision == null ? "" : ": " + decision.reason()))
              + "); nothing to do";
    }
    LOG.info(reason);
    return new Result(
        promoted ? Outcome.PROMOTED : Outcome.NOT_PROMOTED,
        reason,
        runId,
        done.version(),
        decision == null ? registry.promoted(name).orElse(null) : decision.promotedBefore(),
        true,
        done.warmStartedFrom(),
        done.warmStartedFrom() == null
            ? "trained fresh"
            : "warm start from " + done.warmStartedFrom(),
        done.objective(),
        Double.NaN,
        done.metrics(),
        Map.of());
  }

  /**
   * Opens the run's work folder: a new one gets its {@code retrain-run.json}; an existing one is
   * used only if that file says it is this same run (same model, registry, data and configuration).
   */
  private static RunState openWork(
      Configuration hadoop, MtlConfig config, ModelRegistry registry, Request request, String work)
      throws IOException {
    String configSha = sha256(ConfigWriter.toYaml(config));
    String marker = work + "/" + RUN_FILE;
    org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(work);
    org.apache.hadoop.fs.FileSystem fs = dir.getFileSystem(hadoop);
    if (HadoopFiles.exists(hadoop, marker)) {
      RunState s = JSON.readValue(HadoopFiles.readString(hadoop, marker), RunState.class);
      List<String> differ = new ArrayList<>();
      if (!request.name().equals(s.name())) {
        differ.add("model " + s.name());
      }
      if (!registry.root().equals(s.registry())) {
        differ.add("registry " + s.registry());
      }
      if (!request.dataRoot().equals(s.dataRoot())) {
        differ.add("data " + s.dataRoot());
      }
      if (!configSha.equals(s.configSha256())) {
        differ.add("another configuration");
      }
      if (!differ.isEmpty()) {
        throw new WorkFolderException(
            "the work folder "
                + work
                + " belongs to an earlier run "
                + s.runId()
                + " with "
                + String.join(", ", differ)
                + "; a retry must be the same run: use another --run-id (or "
                + "--work) for a different one");
      }
      LOG.info(
          "retrain {}: continuing the attempt started {} in {}",
          request.runId(),
          s.started(),
          work);
      return s;
    }
    if (fs.exists(dir) && fs.listStatus(dir).length > 0) {
      throw new WorkFolderException(
          "the work folder "
              + work
              + " exists and was not made by retrain (it has no "
              + RUN_FILE
              + "); nothing in it is touched: choose another --work or --run-id");
    }
    HadoopFiles.checkWritable(hadoop, marker);
    return save(
        hadoop,
        work,
        new RunState(
            request.name(),
            request.runId(),
            registry.root(),
            request.dataRoot(),
            configSha,
            java.time.Instant.now().toString(),
            null,
            null));
  }

  private static RunState save(Configuration hadoop, String work, RunState state)
      throws IOException {
    HadoopFiles.writeString(hadoop, work + "/" + RUN_FILE, JSON.writeValueAsString(state));
    return state;
  }

  /** Removes sub-folders of this run's own work folder (it holds {@code retrain-run.json}). */
  private static void removeOwn(Configuration hadoop, String work, String... names)
      throws IOException {
    for (String n : names) {
      org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(work, n);
      org.apache.hadoop.fs.FileSystem fs = p.getFileSystem(hadoop);
      if (fs.exists(p)) {
        LOG.info("removing {} of an earlier attempt of this run", p);
        fs.delete(p, true);
      }
    }
  }

  private static String sha256(String text) {
    return java.util.HexFormat.of()
        .formatHex(
            ModelRegistry.sha256().digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /** The work folder of a run cannot be used: it is not this run's. */
  public static final class WorkFolderException extends IOException {
    private static final long serialVersionUID = 1L;

    WorkFolderException(String message) {
      super(message);
    }
  }

  /** The sections of the configuration that differ, by name. */
  static List<String> differences(MtlConfig a, MtlConfig b) {
    List<String> out = new ArrayList<>();
    if (!a.data().equals(b.data())) {
      out.add("data");
    }
    if (!a.prep().equals(b.prep())) {
      out.add("prep");
    }
    if (!a.model().equals(b.model())) {
      out.add("model");
    }
    if (!a.tasks().equals(b.tasks())) {
      out.add("tasks");
    }
    return out;
  }

  private static Map<String, Double> primary(EvaluateJob.Report r) {
    Map<String, Double> out = new LinkedHashMap<>();
    r.tasks().forEach((t, m) -> out.put(t, m.primaryValue()));
    return out;
  }
}
