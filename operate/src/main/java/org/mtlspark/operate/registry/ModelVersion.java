package org.mtlspark.operate.registry;

import java.util.List;
import java.util.Map;

/**
 * What the registry knows of one version ({@code version.json}): where it came from, the data it
 * saw, its test metrics, the code that trained it, and the sha256 of each of its files.
 *
 * @param metrics each task's primary test metric, by task
 * @param primaryMetrics each task's primary metric, by task
 * @param objective the objective (the weighted mean gain over the baselines, as training's validation
 *     objective) of the version on the test split of the data of its run; the name is kept for
 *     reading existing version.json files
 * @param warmStartedFrom the version training started from, or null when trained fresh
 * @param decision what the retrain that registered it decided, or null when registered otherwise
 */
public record ModelVersion(
    String name,
    String version,
    String created,
    String runId,
    String codeVersion,
    DataDescription data,
    Map<String, Double> metrics,
    Map<String, String> primaryMetrics,
    double objective,
    String warmStartedFrom,
    Map<String, String> sha256,
    Decision decision) {

  /**
   * A retrain's decision, recorded with the version so that a retry after a crash carries it out.
   *
   * @param promote whether the version is to be promoted
   * @param promotedBefore the version promoted when the retrain compared against it, or null
   */
  public record Decision(boolean promote, String reason, String promotedBefore) {}

  /**
   * The data a version was trained on: the data root, each source's path and row count, the
   * records aligned, and a fingerprint: sha256 over every source file's relative path and content
   * hash, so that the same bytes give the same fingerprint wherever they live.
   */
  public record DataDescription(
      String root,
      Map<String, String> sources,
      Map<String, Long> rows,
      long records,
      List<String> files,
      String fingerprint) {}
}
