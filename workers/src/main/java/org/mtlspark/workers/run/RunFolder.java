package org.mtlspark.workers.run;

import java.util.List;

/**
 * The names of what a run folder holds, written by training and evaluation and read by scoring,
 * the report and the registry: one place for them, below every package that uses them.
 *
 * <pre>
 * RUN/model.zip             the model of the best validation epoch
 * RUN/manifest.json         the prepared data's manifest, with the featurizers
 * RUN/config.yaml           the configuration the run was trained with
 * RUN/training.json         how training went: epochs, workers, time
 * RUN/metrics-history.json  every task's validation metrics per epoch
 * RUN/metrics.json          the test metrics, written by evaluate
 * RUN/checkpoints/          one folder per epoch, to resume from
 * </pre>
 */
public final class RunFolder {
  public static final String MODEL_FILE = "model.zip";
  public static final String MANIFEST_FILE = "manifest.json";
  public static final String CONFIG_FILE = "config.yaml";
  public static final String TRAINING_FILE = "training.json";
  public static final String HISTORY_FILE = "metrics-history.json";
  public static final String METRICS_FILE = "metrics.json";
  public static final String CHECKPOINTS = "checkpoints";

  /** What a finished run must hold to be scored or registered. */
  public static final List<String> REQUIRED = List.of(MODEL_FILE, MANIFEST_FILE, CONFIG_FILE);

  /** What a registry version keeps of a run: the required files, then the others when present. */
  public static final List<String> KEPT =
      List.of(MODEL_FILE, MANIFEST_FILE, CONFIG_FILE, METRICS_FILE, TRAINING_FILE, HISTORY_FILE);

  private RunFolder() {}
}
