package org.mtlspark.workers.eval;

import java.util.Arrays;

/**
 * A metric a task is measured by, with its direction: everything that compares two values of a
 * metric (a model against its baseline, a new model against the promoted one) asks the metric,
 * never its name. An error (lower is better) is at least 0; a score (higher is better) is at most 1.
 */
public enum Metric {
  RMSE("rmse", false),
  MAE("mae", false),
  AUC("auc", true),
  ACCURACY("accuracy", true),
  MACRO_F1("macro_f1", true),
  MICRO_F1("micro_f1", true),
  /** F1 over entities (exact span and type), as conlleval counts them from BIO or IOBES tags. */
  ENTITY_F1("entity_f1", true),
  /** Retrieval: the share of queries whose partner is the most similar candidate. */
  RECALL_AT_1("recall_at_1", true),
  RECALL_AT_5("recall_at_5", true),
  /** Retrieval: the share of queries whose partner is among the 10 most similar candidates. */
  RECALL_AT_10("recall_at_10", true),
  /** Retrieval: the median rank of the partner among all candidates (1 is first). */
  MEDIAN_RANK("median_rank", false),
  /** Captions: corpus BLEU-4 of the written captions against the true ones ({@link Bleu}). */
  BLEU_4("bleu4", true),
  /** Captions: the share of written captions equal to the true one, word for word. */
  EXACT_MATCH("exact_match", true);

  private final String id;
  private final boolean higherIsBetter;

  Metric(String id, boolean higherIsBetter) {
    this.id = id;
    this.higherIsBetter = higherIsBetter;
  }

  /** The name in metrics.json and in tables, e.g. {@code rmse}. */
  public String id() {
    return id;
  }

  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The metric called {@code id}; an unknown name is refused with the known ones. */
  public static Metric of(String id) {
    for (Metric m : values()) {
      if (m.id.equals(id)) {
        return m;
      }
    }
    throw new IllegalArgumentException(
        "unknown metric " + id + "; known: " + Arrays.stream(values()).map(Metric::id).toList());
  }

  /** Whether {@code a} is strictly better than {@code b}. */
  public boolean isBetter(double a, double b) {
    return higherIsBetter ? a > b : a < b;
  }

  /**
   * How much better {@code value} is than {@code reference}, relative to the reference: positive
   * when better (a lower error, a higher score), negative when worse.
   */
  public double betterBy(double value, double reference) {
    return (higherIsBetter ? value - reference : reference - value)
        / Math.max(1e-12, Math.abs(reference));
  }

  /** How much worse {@code now} is than {@code was}, relative to {@code was}: positive when worse. */
  public double worseBy(double now, double was) {
    return -betterBy(now, was);
  }

  /**
   * The gain of {@code value} over {@code baseline} toward a perfect value: 0 at the baseline, 1 when
   * perfect (an error of 0, a score of 1), negative when worse than the baseline. For an error it is
   * (baseline - error) / baseline, for a score (score - baseline) / (1 - baseline); 0 when the
   * baseline is perfect already.
   */
  public double gain(double value, double baseline) {
    if (higherIsBetter) {
      return baseline < 1 ? (value - baseline) / (1 - baseline) : 0;
    }
    return baseline > 0 ? (baseline - value) / baseline : 0;
  }

  /**
   * How much better {@code value} is than {@code reference} on the metric called {@code id},
   * relative to the reference (positive when better): for tables comparing models by a metric name.
   */
  public static double betterBy(String id, double value, double reference) {
    return of(id).betterBy(value, reference);
  }

  @Override
  public String toString() {
    return id;
  }
}
