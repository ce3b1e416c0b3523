package org.mtlspark.workers.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepException;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.eval.ValidationObjective;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduled retraining of a registered model, under the registry lock: prepare the data of
 * this run, warm-start from the promoted version when its configuration (data, prep, model, tasks)
 * is this one's (preparing with its featurizers), otherwise train fresh and say why; evaluate the
 * new model and the promoted one on the same test split; register the new version; promote it
 * only if the objective (the weighted mean gain over the baselines, as in training) improves and
 * no task's primary metric is worse by more than {@code tolerance} (relative). A run id already in
 * the registry is not trained again: its earlier outcome is returned.
 *
 * <p>Work folders: {@code WORK/RUNID/prep}, {@code run}, {@code prep-promoted} (the holdout
 * prepared with the promoted model's featurizers, when they differ) and {@code retrain.json}.
 */
public final class RetrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(RetrainJob.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What a retrain did. */
  public enum Outcome { PROMOTED, NOT_PROMOTED }

  /**
   * @param version the version this run registered (or had registered before)
   * @param promotedBefore the version promoted when the run started, or null
   * @param newMetrics and {@code promotedMetrics}: primary test metric per task
   */
  public record Result(Outcome outcome, String reason, String runId, String version, String promotedBefore,
      boolean alreadyDone, String warmStart, double newObjective, double promotedObjective,
      Map<String, Double> newMetrics, Map<String, Double> promotedMetrics) {}

  /** What the retrain is told. */
  public record Request(String name, String runId, String dataRoot, String workDir, double tolerance,
      Duration staleLock) {}

  private final SparkSession spark;

  public RetrainJob(SparkSession spark) {
    this.spark = spark;
  }

  public Result run(MtlConfig config, ModelRegistry registry, Request request) throws IOException {
    ModelRegistry.checkName(request.name());
    ModelRegistry.checkName(request.runId());
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    try (ModelRegistry.Lock lock = registry.lock(request.name(), "retrain " + request.runId(), request.staleLock())) {
      Optional<ModelVersion> done = registry.findRun(request.name(), request.runId());
      if (done.isPresent()) {
        boolean promoted = registry.pointer(request.name()).map(p -> p.history().contains(done.get().version()))
            .orElse(false);
        String reason = "run id " + request.runId() + " was already trained as " + done.get().version() + " ("
            + (promoted ? "promoted" : "not promoted") + "); nothing to do";
        LOG.info(reason);
        return new Result(promoted ? Outcome.PROMOTED : Outcome.NOT_PROMOTED, reason, request.runId(),
            done.get().version(), registry.promoted(request.name()).orElse(null), true, done.get().warmStartedFrom(),
            done.get().objective(), Double.NaN, done.get().metrics(), Map.of());
      }
      String work = request.workDir() + "/" + request.runId();
      HadoopFiles.checkWritable(hadoop, work + "/prep");
      String prep = work + "/prep";
      String run = work + "/run";
      Optional<String> promotedVersion = registry.promoted(request.name());
      String promotedDir = promotedVersion.isPresent() ? registry.resolve(request.name(), null) : null;

      // Warm start only from a model of the same configuration, on data prepared its way.
      String warmReason;
      Manifest promotedManifest = null;
      ComputationGraph warm = null;
      if (promotedDir == null) {
        warmReason = "no promoted version: training fresh";
      } else {
        promotedManifest = Manifest.read(hadoop, promotedDir);
        MtlConfig before = ConfigLoader.fromYaml(HadoopFiles.readString(hadoop, promotedDir + "/"
            + TrainJob.CONFIG_FILE), promotedDir);
        List<String> differ = differences(before, config);
        if (differ.isEmpty()) {
          warm = EvaluateJob.loadModel(hadoop, promotedDir);
          warmReason = "warm start from " + promotedVersion.get();
        } else {
          warmReason = "training fresh: the configuration's " + String.join(", ", differ) + " differ from "
              + promotedVersion.get() + "'s";
        }
      }
      LOG.info("retrain {} of {}: {}", request.runId(), request.name(), warmReason);
      Manifest manifest = new PrepJob(spark).run(config, request.dataRoot(), prep,
          warm != null ? promotedManifest.featurizers() : null);
      new TrainJob(spark).run(config, prep, run, warm);
      EvaluateJob.Report fresh = new EvaluateJob(spark).run(run, prep, "test", TrainingWorkers.resolve(spark, config.train()));
      double newObjective = ValidationObjective.of(List.copyOf(fresh.tasks().values()),
          config.train().objectiveWeights());

      // The promoted model on the same holdout, featurized its own way.
      EvaluateJob.Report old = null;
      String notComparable = null;
      if (promotedDir != null) {
        String holdout = prep;
        if (warm == null) {
          holdout = work + "/prep-promoted";
          try {
            new PrepJob(spark).run(config, request.dataRoot(), holdout, promotedManifest.featurizers());
          } catch (PrepException e) {
            notComparable = "the promoted " + promotedVersion.get() + " cannot read this data: " + e.getMessage();
            holdout = null;
          }
        }
        if (holdout != null) {
          old = new EvaluateJob(spark).evaluate(promotedDir, holdout, "test", TrainingWorkers.resolve(spark, config.train()));
        }
      }
      double oldObjective = old == null ? Double.NaN
          : ValidationObjective.of(List.copyOf(old.tasks().values()), config.train().objectiveWeights());

      String reason;
      boolean promote;
      if (promotedDir == null) {
        promote = fresh.allBeatBaseline();
        reason = promote ? "first version, and every task beats its baseline"
            : "first version, but not every task beats its baseline: " + belowBaseline(fresh);
      } else if (old == null) {
        promote = false;
        reason = notComparable + "; promote it by hand after a look";
      } else {
        List<String> regressions = regressions(fresh, old, request.tolerance());
        if (!(newObjective > oldObjective)) {
          promote = false;
          reason = String.format("the objective did not improve: %.4f, promoted %s %.4f", newObjective,
              promotedVersion.get(), oldObjective);
        } else if (!regressions.isEmpty()) {
          promote = false;
          reason = String.format("the objective improved (%.4f, promoted %.4f) but tasks regressed beyond the "
              + "tolerance of %.1f%%: %s", newObjective, oldObjective, 100 * request.tolerance(),
              String.join("; ", regressions));
        } else {
          promote = true;
          reason = String.format("the objective improved: %.4f, promoted %s %.4f; no task regressed beyond %.1f%%",
              newObjective, promotedVersion.get(), oldObjective, 100 * request.tolerance());
        }
      }
      ModelVersion version = registry.register(request.name(), run, request.runId(),
          DataFingerprint.describe(spark, config, request.dataRoot(), manifest), newObjective,
          warm != null ? promotedVersion.get() : null);
      if (promote) {
        registry.promote(request.name(), version.version());
      }
      Result result = new Result(promote ? Outcome.PROMOTED : Outcome.NOT_PROMOTED, reason, request.runId(),
          version.version(), promotedVersion.orElse(null), false, warmReason, newObjective, oldObjective,
          primary(fresh), old == null ? Map.of() : primary(old));
      HadoopFiles.writeString(hadoop, work + "/retrain.json", JSON.writeValueAsString(result));
      LOG.info("retrain {}: {} {} ({})", request.runId(), version.version(),
          promote ? "promoted" : "not promoted", reason);
      return result;
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

  /** Tasks whose primary metric is worse than the promoted model's by more than {@code tolerance} (relative). */
  static List<String> regressions(EvaluateJob.Report fresh, EvaluateJob.Report old, double tolerance) {
    List<String> out = new ArrayList<>();
    for (TaskMetrics m : fresh.tasks().values()) {
      TaskMetrics o = old.tasks().get(m.task());
      if (o == null) {
        continue;
      }
      String metric = m.primaryMetric();
      double now = m.metrics().get(metric);
      double was = o.metrics().get(metric);
      double worse = (metric.equals("rmse") ? now - was : was - now) / Math.max(1e-12, Math.abs(was));
      if (worse > tolerance) {
        out.add(String.format("%s %s %.4f against %.4f (%.1f%% worse)", m.task(), metric, now, was, 100 * worse));
      }
    }
    return out;
  }

  private static String belowBaseline(EvaluateJob.Report r) {
    return String.join(", ", r.tasks().values().stream().filter(m -> !m.beatsBaseline()).map(TaskMetrics::task)
        .toList());
  }

  private static Map<String, Double> primary(EvaluateJob.Report r) {
    Map<String, Double> out = new LinkedHashMap<>();
    r.tasks().forEach((t, m) -> out.put(t, m.metrics().get(m.primaryMetric())));
    return out;
  }
}
