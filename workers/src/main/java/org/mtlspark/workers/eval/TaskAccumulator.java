package org.mtlspark.workers.eval;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Mergeable sufficient statistics of one task over labelled (unmasked) rows: errors of the model
 * and of the training-mean baseline for regression, in the label's own units (a transformed
 * target, e.g. log1p, is turned back first; the baseline is the training mean on the transformed
 * scale, turned back); a confusion matrix
 * for classes; a histogram of scores per true class for the binary AUC; for a multi-label task,
 * true and false positives and false negatives per label at threshold 0.5, for the model and for
 * the baseline that always predicts the most frequent training labels (as many as the mean
 * number of labels of a training row); for an ordinal task, the confusion matrix of the classes
 * (the number of cumulative outputs at least 0.5) and the absolute errors in classes of the model
 * and of the median training class; for a token task, the confusion matrix of the tags over the
 * labelled tokens, the same for the baseline that gives each token its most frequent training tag,
 * and the entities (conlleval's chunks) right, predicted and true for both.
 */
public final class TaskAccumulator implements Serializable {
  private static final long serialVersionUID = 1L;
  static final int BINS = 2000;

  final TaskEncoding task;
  long n;

  /** Sum over labelled rows of the task's own loss, unweighted (see {@link #rowLoss}). */
  double lossSum;

  double sse;
  double sae;
  double baselineSse;
  double baselineSae;
  final long[][] confusion;
  final long[][] scoreHistogram;

  /** Multi-label counts per label: rows 0-2 true positives, false positives, false negatives of the model; 3-5 of the baseline. */
  final long[][] labelCounts;

  private final boolean[] baselineLabels;

  /** A token task's tag confusion of the most-frequent-tag baseline. */
  final long[][] baselineConfusion;

  /** Entities of a token task: right, predicted and true for the model, then for the baseline. */
  final long[] entities = new long[6];

  /**
   * A retrieval task's outputs (the two sides' projections side by side) of every pair, or of a
   * fixed sample of {@link #MAX_PAIRS} when there are more ({@link #samplePairs}).
   */
  final List<float[]> pairs = new java.util.ArrayList<>();

  /**
   * A caption task's BLEU statistics ({@link Bleu}) of the greedy captions, then of the nearest
   * training image's captions.
   */
  final long[] bleu = new long[Bleu.STATS];

  final long[] baselineBleu = new long[Bleu.STATS];

  /**
   * A caption task's counts: captions written exactly, the same for the baseline, captions the
   * baseline was given for, words predicted right with the true words before them (teacher forcing),
   * words.
   */
  final long[] captions = new long[5];

  /** The most pairs a retrieval task is ranked among (a split's pairs are ranked on the driver). */
  static final int MAX_PAIRS = 20_000;

  public TaskAccumulator(TaskEncoding task) {
    this.task = task;
    boolean multiLabel = task.type() == TaskConfig.TaskType.MULTILABEL;
    int k = task.type() == TaskConfig.TaskType.REGRESSION || multiLabel ? 0 : task.classes().size();
    confusion = new long[k][k];
    labelCounts = new long[multiLabel ? 6 : 0][multiLabel ? task.classes().size() : 0];
    baselineLabels = multiLabel ? frequentLabels(task) : new boolean[0];
    scoreHistogram = task.type() == TaskConfig.TaskType.BINARY ? new long[2][BINS] : new long[0][0];
    int tags = task.perToken() ? k : 0;
    baselineConfusion = new long[tags][tags];
  }

  /**
   * Adds the labelled texts of one batch of a token task: {@code predictions} and {@code labels}
   * [rows, tags, positions], {@code mask} [rows, positions] (1 where a position has a tag), {@code
   * tokenIds} [rows, positions], the text input the baseline looks its tags up by.
   */
  public void addTokens(INDArray predictions, INDArray labels, INDArray mask, INDArray tokenIds) {
    int rows = (int) predictions.size(0);
    int tags = (int) predictions.size(1);
    int positions = (int) predictions.size(2);
    float[] p = predictions.dup('c').data().asFloat();
    float[] y = labels.dup('c').data().asFloat();
    float[] m = mask.dup('c').data().asFloat();
    float[] ids = tokenIds.dup('c').data().asFloat();
    List<String> names = task.classes();
    for (int i = 0; i < rows; i++) {
      int length = 0;
      for (int at = 0; at < positions; at++) {
        length = m[i * positions + at] > 0 ? at + 1 : length;
      }
      if (length == 0) {
        continue;
      }
      n++;
      String[] truth = new String[length];
      String[] guess = new String[length];
      String[] base = new String[length];
      for (int at = 0; at < length; at++) {
        int row = i * tags * positions + at;
        int yt = 0;
        int pt = 0;
        for (int c = 1; c < tags; c++) {
          yt = y[row + c * positions] > y[row + yt * positions] ? c : yt;
          pt = p[row + c * positions] > p[row + pt * positions] ? c : pt;
        }
        int bt = task.baselineTag((int) ids[i * positions + at]);
        guess[at] = names.get(pt);
        base[at] = names.get(bt);
        if (m[i * positions + at] == 0) {
          // A tag never seen in training: not scored, and outside every entity of the three
          // sequences (the head's output there is masked to zeros, so its argmax means nothing).
          truth[at] = "O";
          guess[at] = "O";
          base[at] = "O";
          continue;
        }
        confusion[yt][pt]++;
        baselineConfusion[yt][bt]++;
        lossSum -= Math.log(Math.max(1e-7, p[row + yt * positions]));
        truth[at] = names.get(yt);
      }
      countEntities(Entities.of(truth), Entities.of(guess), 0);
      countEntities(Entities.of(truth), Entities.of(base), 3);
    }
  }

  /**
   * Adds the captioned rows of one batch of a caption task: {@code predictions} [rows, words,
   * positions] with the true caption as input, its {@code labels} and {@code mask}, the captions
   * {@code written} word by word ({@link CaptionDecoder}) and the {@code nearest} training images'
   * captions (null without a baseline).
   */
  public void addCaptions(
      INDArray predictions, INDArray labels, INDArray mask, int[][] written, int[][] nearest) {
    int[][] truth = CaptionDecoder.truth(labels, mask);
    int words = (int) predictions.size(1);
    int positions = (int) predictions.size(2);
    float[] p =
        predictions.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    float[] y = labels.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    float[] m = mask.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    for (int r = 0; r < truth.length; r++) {
      if (truth[r] == null) {
        continue;
      }
      n++;
      Bleu.add(written[r], truth[r], bleu);
      captions[0] += java.util.Arrays.equals(written[r], truth[r]) ? 1 : 0;
      if (nearest != null) {
        Bleu.add(nearest[r], truth[r], baselineBleu);
        captions[1] += java.util.Arrays.equals(nearest[r], truth[r]) ? 1 : 0;
        captions[2]++;
      }
      for (int at = 0; at < positions; at++) {
        if (m[r * positions + at] == 0) {
          continue;
        }
        int yt = 0;
        int pt = 0;
        for (int c = 1; c < words; c++) {
          yt = y[(r * words + c) * positions + at] > y[(r * words + yt) * positions + at] ? c : yt;
          pt = p[(r * words + c) * positions + at] > p[(r * words + pt) * positions + at] ? c : pt;
        }
        captions[3] += yt == pt ? 1 : 0;
        captions[4]++;
        lossSum -= Math.log(Math.max(1e-7, p[(r * words + yt) * positions + at]));
      }
    }
  }

  private void countEntities(Set<Entities.Span> truth, Set<Entities.Span> guess, int base) {
    for (Entities.Span s : guess) {
      entities[base] += truth.contains(s) ? 1 : 0;
    }
    entities[base + 1] += guess.size();
    entities[base + 2] += truth.size();
  }

  /**
   * Adds the pairs of one batch of a retrieval task: {@code predictions} [rows, 2d], the rows the
   * {@code mask} keeps, and their in-batch loss {@code rowLoss} [rows, 1] (unweighted).
   */
  public void addPairs(INDArray predictions, INDArray mask, INDArray rowLoss) {
    float[][] rows = predictions.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).toFloatMatrix();
    for (int i = 0; i < rows.length; i++) {
      if (mask != null && mask.getDouble(i, 0) == 0) {
        continue;
      }
      n++;
      pairs.add(rows[i]);
      lossSum += rowLoss.getDouble(i, 0);
    }
    if (pairs.size() > 2 * MAX_PAIRS) {
      samplePairs();
    }
  }

  /**
   * Keeps the {@link #MAX_PAIRS} pairs whose outputs hash lowest: the same sample whichever order
   * the partitions' pairs arrive and merge in.
   */
  void samplePairs() {
    if (pairs.size() <= MAX_PAIRS) {
      return;
    }
    pairs.sort(
        java.util.Comparator.<float[]>comparingLong(TaskAccumulator::pairHash)
            .thenComparing(java.util.Arrays::compare));
    pairs.subList(MAX_PAIRS, pairs.size()).clear();
  }

  private static long pairHash(float[] pair) {
    long h = 0x9E3779B97F4A7C15L;
    for (float v : pair) {
      h = (h ^ Float.floatToIntBits(v)) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    return h;
  }

  /** Adds the rows of one batch whose label mask is set. */
  public void add(INDArray predictions, INDArray labels, INDArray mask) {
    long rows = predictions.size(0);
    for (int i = 0; i < rows; i++) {
      if (mask != null && mask.getDouble(i, 0) == 0) {
        continue;
      }
      n++;
      lossSum += rowLoss(predictions, labels, i);
      switch (task.type()) {
        case REGRESSION -> {
          double p = task.label(predictions.getDouble(i, 0));
          double y = task.label(labels.getDouble(i, 0));
          double b = task.label(0);
          sse += (p - y) * (p - y);
          sae += Math.abs(p - y);
          baselineSse += (b - y) * (b - y);
          baselineSae += Math.abs(b - y);
        }
        case BINARY -> {
          double p = predictions.getDouble(i, 0);
          int y = labels.getDouble(i, 0) > 0.5 ? 1 : 0;
          confusion[y][p >= 0.5 ? 1 : 0]++;
          scoreHistogram[y][Math.min(BINS - 1, (int) (p * BINS))]++;
        }
        case MULTICLASS -> {
          int y = argmax(labels, i);
          confusion[y][argmax(predictions, i)]++;
        }
        case ORDINAL -> {
          int y = above(labels, i);
          int p = above(predictions, i);
          confusion[y][p]++;
          sae += Math.abs(p - y);
          baselineSae += Math.abs(task.medianClass() - y);
        }
        case MULTILABEL -> {
          for (int j = 0; j < labelCounts[0].length; j++) {
            boolean y = labels.getDouble(i, j) > 0.5;
            count(0, j, y, predictions.getDouble(i, j) >= 0.5);
            count(3, j, y, baselineLabels[j]);
          }
        }
        default -> throw new IllegalStateException(task.type().toString());
      }
    }
  }

  /**
   * The loss of row {@code i} as the task's head computes it, without the task weight: squared (or
   * Huber) error on the standardized target averaged over outputs, cross-entropy of the true class,
   * binary cross-entropy summed over the labels of a binary or multi-label task.
   */
  double rowLoss(INDArray predictions, INDArray labels, int i) {
    double eps = 1e-7;
    switch (task.type()) {
      case REGRESSION -> {
        double r = Math.abs(predictions.getDouble(i, 0) - labels.getDouble(i, 0));
        if (task.loss() == TaskConfig.Loss.HUBER) {
          double d = task.huberDelta();
          return r <= d ? r * r / 2 : d * (r - d / 2);
        }
        return r * r;
      }
      case MULTICLASS -> {
        return -Math.log(Math.max(eps, predictions.getDouble(i, argmax(labels, i))));
      }
      default -> {
        double sum = 0;
        for (int j = 0; j < predictions.size(1); j++) {
          double p = Math.min(1 - eps, Math.max(eps, predictions.getDouble(i, j)));
          double y = labels.getDouble(i, j);
          sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
        }
        return sum;
      }
    }
  }

  /** The ordinal class of row {@code i}: how many of its cumulative outputs are at least 0.5. */
  static int above(INDArray values, int i) {
    int k = 0;
    for (int j = 0; j < values.size(1); j++) {
      k += values.getDouble(i, j) >= 0.5 ? 1 : 0;
    }
    return k;
  }

  private void count(int base, int label, boolean truth, boolean predicted) {
    if (truth && predicted) {
      labelCounts[base][label]++;
    } else if (predicted) {
      labelCounts[base + 1][label]++;
    } else if (truth) {
      labelCounts[base + 2][label]++;
    }
  }

  /** The most frequent training labels, as many as a training row has on average (at least one). */
  static boolean[] frequentLabels(TaskEncoding task) {
    int k = task.classes().size();
    long total = task.classCounts().stream().mapToLong(Long::longValue).sum();
    int keep = (int) Math.max(1, Math.round((double) total / Math.max(1, task.trainLabels())));
    Integer[] order = new Integer[k];
    for (int i = 0; i < k; i++) {
      order[i] = i;
    }
    java.util.Arrays.sort(
        order, (a, b) -> Long.compare(task.classCounts().get(b), task.classCounts().get(a)));
    boolean[] out = new boolean[k];
    for (int i = 0; i < Math.min(keep, k); i++) {
      out[order[i]] = true;
    }
    return out;
  }

  public TaskAccumulator merge(TaskAccumulator o) {
    n += o.n;
    lossSum += o.lossSum;
    sse += o.sse;
    sae += o.sae;
    baselineSse += o.baselineSse;
    baselineSae += o.baselineSae;
    for (int i = 0; i < confusion.length; i++) {
      for (int j = 0; j < confusion.length; j++) {
        confusion[i][j] += o.confusion[i][j];
      }
    }
    for (int r = 0; r < labelCounts.length; r++) {
      for (int j = 0; j < labelCounts[r].length; j++) {
        labelCounts[r][j] += o.labelCounts[r][j];
      }
    }
    for (int i = 0; i < baselineConfusion.length; i++) {
      for (int j = 0; j < baselineConfusion.length; j++) {
        baselineConfusion[i][j] += o.baselineConfusion[i][j];
      }
    }
    for (int i = 0; i < entities.length; i++) {
      entities[i] += o.entities[i];
    }
    for (int i = 0; i < Bleu.STATS; i++) {
      bleu[i] += o.bleu[i];
      baselineBleu[i] += o.baselineBleu[i];
    }
    for (int i = 0; i < captions.length; i++) {
      captions[i] += o.captions[i];
    }
    pairs.addAll(o.pairs);
    samplePairs();
    for (int c = 0; c < scoreHistogram.length; c++) {
      for (int b = 0; b < BINS; b++) {
        scoreHistogram[c][b] += o.scoreHistogram[c][b];
      }
    }
    return this;
  }

  private static int argmax(INDArray a, int row) {
    int best = 0;
    double bestValue = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < a.size(1); j++) {
      double v = a.getDouble(row, j);
      if (v > bestValue) {
        bestValue = v;
        best = j;
      }
    }
    return best;
  }
}
