package org.mtlspark.workers.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mtlspark.config.TaskConfig;

/**
 * The metrics of one task on one split, beside the same metrics of its trivial baseline (training
 * mean for regression, majority training class otherwise; a constant score for AUC; the most
 * frequent training labels for a multi-label task; the median training class for an ordinal task,
 * whose metrics are accuracy, macro-F1 and the mean absolute error in classes; each token's most
 * frequent training tag for a token task, whose metrics are token accuracy, macro-F1 over the tags
 * and, for BIO or IOBES tags, entity precision, recall and F1; for a caption task BLEU-4, exact
 * match and next-word accuracy of greedily written captions, beside the captions of the nearest
 * training images or, without them, the empty caption), and the mean unweighted loss of the task's
 * head over its labelled rows (for a token or caption task, summed over a text's positions).
 *
 * @param primaryMetric the name of the task's primary {@link Metric} (metrics.json keeps the name;
 *     {@link #primary()} is the metric, with its direction)
 */
public record TaskMetrics(
    String task,
    TaskConfig.TaskType type,
    long examples,
    String primaryMetric,
    Map<String, Double> metrics,
    Map<String, Double> baseline,
    boolean beatsBaseline,
    double loss,
    List<String> classes,
    List<List<Long>> confusion) {

  public TaskMetrics {
    Metric.of(primaryMetric);
  }

  /** Without a confusion matrix (regression and multi-label tasks). */
  public TaskMetrics(
      String task,
      TaskConfig.TaskType type,
      long examples,
      String primaryMetric,
      Map<String, Double> metrics,
      Map<String, Double> baseline,
      boolean beatsBaseline,
      double loss) {
    this(task, type, examples, primaryMetric, metrics, baseline, beatsBaseline, loss, null, null);
  }

  /** The primary metric, with its direction. */
  public Metric primary() {
    return Metric.of(primaryMetric);
  }

  /** The model's value of the primary metric. */
  public double primaryValue() {
    return metrics.get(primaryMetric);
  }

  /** The model's gain over its baseline on the primary metric ({@link Metric#gain}). */
  public double gainOverBaseline() {
    return primary().gain(primaryValue(), baseline.get(primaryMetric));
  }

  /** Computes the metrics from merged statistics. */
  public static TaskMetrics of(TaskAccumulator a) {
    Map<String, Double> m = new LinkedHashMap<>();
    Map<String, Double> b = new LinkedHashMap<>();
    Metric primary;
    switch (a.task.type()) {
      case REGRESSION -> {
        m.put("rmse", Math.sqrt(a.sse / Math.max(1, a.n)));
        m.put("mae", a.sae / Math.max(1, a.n));
        b.put("rmse", Math.sqrt(a.baselineSse / Math.max(1, a.n)));
        b.put("mae", a.baselineSae / Math.max(1, a.n));
        primary = Metric.RMSE;
      }
      case BINARY -> {
        m.put("auc", auc(a.scoreHistogram));
        m.put("accuracy", accuracy(a.confusion));
        m.put("macro_f1", macroF1(a.confusion));
        b.put("auc", 0.5);
        putMajority(a, b);
        primary = Metric.AUC;
      }
      case MULTILABEL -> {
        m.put("micro_f1", microF1(a.labelCounts, 0));
        m.put("macro_f1", labelMacroF1(a.labelCounts, 0));
        b.put("micro_f1", microF1(a.labelCounts, 3));
        b.put("macro_f1", labelMacroF1(a.labelCounts, 3));
        primary = Metric.MICRO_F1;
      }
      case TOKENS -> {
        m.put("accuracy", accuracy(a.confusion));
        m.put("macro_f1", macroF1(a.confusion));
        b.put("accuracy", accuracy(a.baselineConfusion));
        b.put("macro_f1", macroF1(a.baselineConfusion));
        primary = Metric.ACCURACY;
        if (Entities.isChunkTagging(a.task.classes())) {
          putEntities(a.entities, 0, m);
          putEntities(a.entities, 3, b);
          primary = Metric.ENTITY_F1;
        }
      }
      case CAPTION -> {
        m.put("bleu4", Bleu.score(a.bleu));
        m.put("exact_match", a.n == 0 ? 0 : (double) a.captions[0] / a.n);
        m.put("word_accuracy", a.captions[4] == 0 ? 0 : (double) a.captions[3] / a.captions[4]);
        // The nearest training image's captions; without them (validation during training) the
        // empty caption, which scores 0: the objective then counts the model's own BLEU-4.
        boolean nearest = a.captions[2] > 0;
        b.put("bleu4", nearest ? Bleu.score(a.baselineBleu) : 0.0);
        b.put("exact_match", nearest ? (double) a.captions[1] / a.captions[2] : 0.0);
        primary = Metric.BLEU_4;
      }
      case RETRIEVAL -> {
        putRetrieval(a, m, b);
        primary = Metric.RECALL_AT_10;
      }
      case ORDINAL -> {
        m.put("accuracy", accuracy(a.confusion));
        m.put("macro_f1", macroF1(a.confusion));
        m.put("mae", a.sae / Math.max(1, a.n));
        putConstant(a, b, a.task.medianClass());
        b.put("mae", a.baselineSae / Math.max(1, a.n));
        primary = Metric.MACRO_F1;
      }
      default -> {
        m.put("accuracy", accuracy(a.confusion));
        m.put("macro_f1", macroF1(a.confusion));
        putMajority(a, b);
        primary = Metric.MACRO_F1;
      }
    }
    boolean beats = a.n > 0 && primary.isBetter(m.get(primary.id()), b.get(primary.id()));
    boolean classes =
        a.task.type() == TaskConfig.TaskType.BINARY
            || a.task.type() == TaskConfig.TaskType.MULTICLASS
            || a.task.type() == TaskConfig.TaskType.ORDINAL
            || a.task.type() == TaskConfig.TaskType.TOKENS;
    List<List<Long>> confusion = null;
    if (classes) {
      confusion = new java.util.ArrayList<>();
      for (long[] row : a.confusion) {
        confusion.add(java.util.Arrays.stream(row).boxed().toList());
      }
    }
    return new TaskMetrics(
        a.task.name(),
        a.task.type(),
        a.n,
        primary.id(),
        m,
        b,
        beats,
        a.n == 0 ? Double.NaN : a.lossSum / a.n,
        classes ? a.task.classes() : null,
        confusion);
  }

  /**
   * A retrieval task's recall@1, @5, @10 and median rank over its pairs (at most {@link
   * TaskAccumulator#MAX_PAIRS}, a fixed sample of them when the split has more), each the mean of both
   * directions, then each direction's own ({@code text_to_image_recall_at_10}, ...); the baseline is
   * chance.
   */
  static void putRetrieval(TaskAccumulator a, Map<String, Double> m, Map<String, Double> b) {
    if (a.pairs.isEmpty()) {
      // No record with both sides (e.g. one side removed by the ablation): nothing ranked.
      RetrievalRanks none = new RetrievalRanks(0, new double[RetrievalRanks.KS.size()], Double.NaN);
      putRanks("", none, none, m);
      putRanks("", none, none, b);
      return;
    }
    int width = a.pairs.get(0).length / 2;
    var first = RetrievalRanks.normalized(RetrievalRanks.stack(a.pairs, 0, width));
    var second = RetrievalRanks.normalized(RetrievalRanks.stack(a.pairs, width, width));
    String one = a.task.classes().get(0);
    String two = a.task.classes().get(1);
    RetrievalRanks forward = RetrievalRanks.of(first, second);
    RetrievalRanks backward = RetrievalRanks.of(second, first);
    RetrievalRanks chance = RetrievalRanks.chance(a.pairs.size());
    putRanks("", forward, backward, m);
    putRanks("", chance, chance, b);
    putRanks(one + "_to_" + two + "_", forward, forward, m);
    putRanks(two + "_to_" + one + "_", backward, backward, m);
    putRanks(one + "_to_" + two + "_", chance, chance, b);
    putRanks(two + "_to_" + one + "_", chance, chance, b);
  }

  /** The mean of two directions' figures, each name prefixed. */
  private static void putRanks(
      String prefix, RetrievalRanks x, RetrievalRanks y, Map<String, Double> out) {
    for (int k = 0; k < RetrievalRanks.KS.size(); k++) {
      out.put(
          prefix + "recall_at_" + RetrievalRanks.KS.get(k), (x.recall()[k] + y.recall()[k]) / 2);
    }
    out.put(prefix + "median_rank", (x.medianRank() + y.medianRank()) / 2);
  }

  /**
   * Entity precision, recall and F1 from {@code counts[base..base+2]}: entities right, predicted
   * and true (conlleval's figures; each 0 when its denominator is).
   */
  static void putEntities(long[] counts, int base, Map<String, Double> out) {
    long right = counts[base];
    long predicted = counts[base + 1];
    long truth = counts[base + 2];
    out.put("entity_precision", predicted == 0 ? 0 : (double) right / predicted);
    out.put("entity_recall", truth == 0 ? 0 : (double) right / truth);
    out.put("entity_f1", predicted + truth == 0 ? 0 : 2.0 * right / (predicted + truth));
  }

  /** Accuracy and macro-F1 of always predicting the majority training class. */
  private static void putMajority(TaskAccumulator a, Map<String, Double> b) {
    putConstant(a, b, a.task.majorityClass());
  }

  /** Accuracy and macro-F1 of always predicting class {@code majority}. */
  private static void putConstant(TaskAccumulator a, Map<String, Double> b, int majority) {
    int k = a.confusion.length;
    long[][] constant = new long[k][k];
    for (int y = 0; y < k; y++) {
      long rowTotal = 0;
      for (int p = 0; p < k; p++) {
        rowTotal += a.confusion[y][p];
      }
      constant[y][majority] = rowTotal;
    }
    b.put("accuracy", accuracy(constant));
    b.put("macro_f1", macroF1(constant));
  }

  /** Micro-averaged F1 over all labels: 2 TP / (2 TP + FP + FN), from rows {@code base..base+2}. */
  static double microF1(long[][] counts, int base) {
    long tp = 0;
    long fp = 0;
    long fn = 0;
    for (int j = 0; j < counts[base].length; j++) {
      tp += counts[base][j];
      fp += counts[base + 1][j];
      fn += counts[base + 2][j];
    }
    return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  /** Mean over labels of each label's F1 (0 for a label never true nor predicted). */
  static double labelMacroF1(long[][] counts, int base) {
    int k = counts[base].length;
    double sum = 0;
    for (int j = 0; j < k; j++) {
      long tp = counts[base][j];
      long denominator = 2 * tp + counts[base + 1][j] + counts[base + 2][j];
      sum += denominator == 0 ? 0 : 2.0 * tp / denominator;
    }
    return k == 0 ? 0 : sum / k;
  }

  static double accuracy(long[][] c) {
    long right = 0;
    long all = 0;
    for (int i = 0; i < c.length; i++) {
      for (int j = 0; j < c.length; j++) {
        all += c[i][j];
        right += i == j ? c[i][j] : 0;
      }
    }
    return all == 0 ? 0 : (double) right / all;
  }

  /**
   * Mean of F1 over the classes present in the split's labels or predictions (as scikit-learn
   * averages): a training class with no true and no predicted row in the split is left out rather
   * than counted as 0, so a perfect prediction scores 1 even when the split lacks some classes.
   */
  static double macroF1(long[][] c) {
    double sum = 0;
    int present = 0;
    for (int k = 0; k < c.length; k++) {
      long tp = c[k][k];
      long predicted = 0;
      long actual = 0;
      for (int i = 0; i < c.length; i++) {
        predicted += c[i][k];
        actual += c[k][i];
      }
      if (predicted + actual > 0) {
        sum += 2.0 * tp / (predicted + actual);
        present++;
      }
    }
    return present == 0 ? 0 : sum / present;
  }

  /** Area under the ROC curve from score histograms per class: P(score of a positive > score of a negative), ties half. */
  static double auc(long[][] hist) {
    long neg = 0;
    long pos = 0;
    for (int b = 0; b < hist[0].length; b++) {
      neg += hist[0][b];
      pos += hist[1][b];
    }
    if (neg == 0 || pos == 0) {
      return 0.5;
    }
    double wins = 0;
    long negBelow = 0;
    for (int b = 0; b < hist[0].length; b++) {
      wins += hist[1][b] * (negBelow + hist[0][b] / 2.0);
      negBelow += hist[0][b];
    }
    return wins / ((double) pos * neg);
  }
}
