package org.mtlspark.operate.tune;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigWriter;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.run.RunFolder;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingDivergedException;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small search for the configuration that trains best on prepared data: each trial is a full
 * training run ({@link TrainJob}, on Spark) into {@code OUT/trial-NN} with some settings changed,
 * and the trial with the best validation objective wins. The trials and their results are written
 * to {@code tune.json} after each one, and the winner's whole configuration to {@code best.yaml}
 * (an experiment file). Run again with the same trials, it takes finished trials as they are and
 * resumes an interrupted one from its checkpoints.
 */
public final class TuneJob {
  private static final Logger LOG = LoggerFactory.getLogger(TuneJob.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The trials and what they found. */
  public static final String RESULT_FILE = "tune.json";

  /** The configuration of the best trial. */
  public static final String BEST_FILE = "best.yaml";

  /** One trial: the settings it changes ({@code key -> value}) and the configuration they make. */
  public record Trial(Map<String, String> settings, MtlConfig config) {}

  /** A trial's outcome: its best validation objective, at which epoch, and its run folder. */
  public record TrialResult(
      int trial,
      Map<String, String> settings,
      double objective,
      int bestEpoch,
      double seconds,
      String run) {}

  /** Every trial's outcome, in order, and the index of the best. */
  public record Result(List<TrialResult> trials, int best) {
    public TrialResult bestTrial() {
      return trials.get(best);
    }
  }

  private final SparkSession spark;

  public TuneJob(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * {@code count} distinct combinations of the values in {@code space} (each key's values in
   * turn), drawn at random with {@code seed}; all of them, in order, when there are no more.
   */
  public static List<Map<String, String>> draw(
      Map<String, List<String>> space, int count, long seed) {
    List<Map<String, String>> all = new ArrayList<>();
    all.add(new LinkedHashMap<>());
    for (Map.Entry<String, List<String>> e : space.entrySet()) {
      List<Map<String, String>> next = new ArrayList<>();
      for (Map<String, String> partial : all) {
        for (String value : e.getValue()) {
          Map<String, String> m = new LinkedHashMap<>(partial);
          m.put(e.getKey(), value);
          next.add(m);
        }
      }
      all = next;
    }
    if (all.size() <= count) {
      return all;
    }
    List<Map<String, String>> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(seed));
    return List.copyOf(shuffled.subList(0, count));
  }

  /** Runs every trial on the data prepared in {@code prepDir}; results go to {@code outDir}. */
  public Result run(List<Trial> trials, String prepDir, String outDir) throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<TrialResult> results = new ArrayList<>();
    int best = -1;
    for (int i = 0; i < trials.size(); i++) {
      Trial trial = trials.get(i);
      String run = String.format("%s/trial-%02d", outDir, i + 1);
      TrialResult r = trial(hadoop, i, trials.size(), trial, prepDir, run);
      results.add(r);
      if (best < 0 || better(r.objective(), results.get(best).objective())) {
        best = i;
      }
      LOG.info(
          String.format(
              "trial %d/%d: validation objective %.4f at epoch %d; best so far %.4f (trial %d)",
              i + 1,
              trials.size(),
              r.objective(),
              r.bestEpoch(),
              results.get(best).objective(),
              best + 1));
      HadoopFiles.writeString(
          hadoop,
          outDir + "/" + RESULT_FILE,
          JSON.writeValueAsString(
              Map.of("trials", results, "best", best + 1, "complete", i + 1 == trials.size())));
    }
    if (Double.isNaN(results.get(best).objective())) {
      throw new IllegalStateException("every trial diverged; see " + outDir + "/" + RESULT_FILE);
    }
    HadoopFiles.writeString(
        hadoop, outDir + "/" + BEST_FILE, ConfigWriter.toYaml(trials.get(best).config()));
    return new Result(results, best);
  }

  /** Whether objective {@code a} beats {@code b}; a diverged trial (NaN) beats none. */
  static boolean better(double a, double b) {
    return !Double.isNaN(a) && (Double.isNaN(b) || a > b);
  }

  /** Trains one trial, or reads it back when it finished before; a trial that diverges scores NaN. */
  private TrialResult trial(
      Configuration hadoop, int i, int count, Trial trial, String prepDir, String run)
      throws IOException {
    if (HadoopFiles.exists(hadoop, run + "/" + RunFolder.MODEL_FILE)) {
      LOG.info("trial {}/{} {}: finished before, taken as it is", i + 1, count, run);
    } else {
      LOG.info("trial {}/{}: {}", i + 1, count, trial.settings());
      try {
        new TrainJob(spark).run(trial.config(), prepDir, run);
      } catch (TrainingDivergedException e) {
        LOG.warn("trial {}/{} diverged: {}", i + 1, count, e.getMessage());
        return new TrialResult(i + 1, trial.settings(), Double.NaN, -1, 0, run);
      }
    }
    JsonNode log =
        JSON.readTree(HadoopFiles.readString(hadoop, run + "/" + RunFolder.TRAINING_FILE));
    return new TrialResult(
        i + 1,
        trial.settings(),
        log.path("bestObjective").asDouble(Double.NaN),
        log.path("bestEpoch").asInt(),
        log.path("seconds").asDouble(),
        run);
  }
}
