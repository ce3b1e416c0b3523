package org.mtlspark.workers.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes captions with a caption task's decoder: the network runs once per position, its text
 * input the words written so far (a unidirectional decoder reads nothing after a position, so the
 * rest of the input does not matter), and each position's softmax gives the next word. Greedy
 * decoding takes the likeliest word at each position; beam search keeps the {@code width}
 * likeliest captions so far (by the sum of their words' log-probabilities) and returns the best
 * one. A caption stops at the end mark or at the last position. Captions are the task's classes
 * ({@link TaskEncoding#captionClasses}), without the end mark.
 */
public final class CaptionDecoder {
  private CaptionDecoder() {}

  /** The greedy caption of every row of {@code features} by output {@code task} of {@code graph}. */
  public static int[][] greedy(
      ComputationGraph graph, INDArray[] features, INDArray[] masks, int task) {
    return beam(graph, features, masks, task, 1);
  }

  /** The best of {@code width} captions kept by beam search, per row ({@code width} 1: greedy). */
  public static int[][] beam(
      ComputationGraph graph, INDArray[] features, INDArray[] masks, int task, int width) {
    if (width < 1) {
      throw new IllegalArgumentException("a beam is at least 1 wide, was " + width);
    }
    int text = graph.getConfiguration().getNetworkInputs().indexOf(ModelInputs.TEXT);
    int rows = (int) features[0].size(0);
    int positions = (int) features[text].size(features[text].rank() - 1);
    INDArray[] in = new INDArray[features.length];
    INDArray[] inMasks = masks == null ? new INDArray[features.length] : masks.clone();
    for (int i = 0; i < features.length; i++) {
      in[i] = width == 1 || features[i] == null ? features[i] : features[i].repeat(0, width);
      if (inMasks[i] != null && width > 1) {
        inMasks[i] = inMasks[i].repeat(0, width);
      }
    }
    int hyps = rows * width;
    float[] ids = new float[hyps * positions];
    float[] idMask = new float[hyps * positions];
    List<List<Integer>> words = new ArrayList<>();
    for (int h = 0; h < hyps; h++) {
      words.add(new ArrayList<>());
    }
    double[] score = new double[hyps];
    boolean[] done = new boolean[hyps];
    for (int h = 0; h < hyps; h++) {
      // One hypothesis per row to start with: the others would only repeat it.
      score[h] = h % width == 0 ? 0 : Double.NEGATIVE_INFINITY;
    }
    var type = features[text].dataType();
    for (int at = 0; at < positions; at++) {
      in[text] = Nd4j.create(ids, new long[] {hyps, positions}, 'c').castTo(type);
      inMasks[text] = Nd4j.create(idMask, new long[] {hyps, positions}, 'c').castTo(type);
      INDArray out = graph.output(false, in, inMasks, null)[task];
      int classes = (int) out.size(1);
      float[] p =
          out.get(
                  org.nd4j.linalg.indexing.NDArrayIndex.all(),
                  org.nd4j.linalg.indexing.NDArrayIndex.all(),
                  org.nd4j.linalg.indexing.NDArrayIndex.point(at))
              .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
              .dup('c')
              .data()
              .asFloat();
      boolean open = false;
      List<List<Integer>> nextWords = new ArrayList<>(words);
      double[] nextScore = score.clone();
      boolean[] nextDone = done.clone();
      for (int r = 0; r < rows; r++) {
        // Candidates: each open hypothesis with each word, each finished one as it is.
        List<double[]> candidates = new ArrayList<>(); // {score, hypothesis, word or -1}
        for (int j = 0; j < width; j++) {
          int h = r * width + j;
          if (score[h] == Double.NEGATIVE_INFINITY) {
            continue;
          }
          if (done[h]) {
            candidates.add(new double[] {score[h], h, -1});
            continue;
          }
          // Only a hypothesis's best `width` words can be among the best `width` captions.
          for (int c : best(p, h * classes, classes, width)) {
            double lp = Math.log(Math.max(1e-30, p[h * classes + c]));
            candidates.add(new double[] {score[h] + lp, h, c});
          }
        }
        candidates.sort((a, b) -> Double.compare(b[0], a[0]));
        for (int j = 0; j < width; j++) {
          int h = r * width + j;
          if (j >= candidates.size()) {
            nextScore[h] = Double.NEGATIVE_INFINITY;
            nextDone[h] = true;
            continue;
          }
          double[] c = candidates.get(j);
          int from = (int) c[1];
          int word = (int) c[2];
          List<Integer> w = new ArrayList<>(words.get(from));
          boolean finished = done[from] || word == TaskEncoding.END;
          if (!finished) {
            w.add(word);
          }
          nextWords.set(h, w);
          nextScore[h] = c[0];
          nextDone[h] = finished || at == positions - 1;
          open |= !nextDone[h];
        }
      }
      words = nextWords;
      score = nextScore;
      done = nextDone;
      if (!open) {
        break;
      }
      Arrays.fill(ids, 0);
      Arrays.fill(idMask, 0);
      for (int h = 0; h < hyps; h++) {
        List<Integer> w = words.get(h);
        for (int k = 0; k < w.size(); k++) {
          ids[h * positions + k] = TaskEncoding.captionToken(w.get(k));
          idMask[h * positions + k] = 1;
        }
      }
    }
    int[][] best = new int[rows][];
    for (int r = 0; r < rows; r++) {
      int top = r * width;
      for (int j = 1; j < width; j++) {
        top = score[r * width + j] > score[top] ? r * width + j : top;
      }
      best[r] = words.get(top).stream().mapToInt(Integer::intValue).toArray();
    }
    return best;
  }

  /** The indices of the {@code k} largest of {@code p[from .. from + n)}, relative to {@code from}. */
  static int[] best(float[] p, int from, int n, int k) {
    int[] top = new int[Math.min(k, n)];
    boolean[] taken = new boolean[n];
    for (int i = 0; i < top.length; i++) {
      int b = -1;
      for (int c = 0; c < n; c++) {
        if (!taken[c] && (b < 0 || p[from + c] > p[from + b])) {
          b = c;
        }
      }
      taken[b] = true;
      top[i] = b;
    }
    return top;
  }

  /** A caption's words: its classes' names, joined by spaces. */
  public static String text(TaskEncoding task, int[] caption) {
    StringBuilder sb = new StringBuilder();
    for (int c : caption) {
      sb.append(sb.length() == 0 ? "" : " ").append(task.classes().get(c));
    }
    return sb.toString();
  }

  /**
   * The true captions of a caption task's labels [rows, classes, positions] under their mask [rows,
   * positions]: per row the class at each masked position up to the end mark; null for a row
   * without a caption. A word outside the vocabulary is a negative number of its own, which no
   * written word (nor another unknown word) equals: writing the unknown word earns nothing.
   */
  public static int[][] truth(INDArray labels, INDArray mask) {
    int rows = (int) labels.size(0);
    int classes = (int) labels.size(1);
    int positions = (int) labels.size(2);
    float[] y = labels.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    float[] m = mask.castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).dup('c').data().asFloat();
    int[][] out = new int[rows][];
    for (int r = 0; r < rows; r++) {
      List<Integer> w = new ArrayList<>();
      boolean any = false;
      for (int at = 0; at < positions; at++) {
        if (m[r * positions + at] == 0) {
          continue;
        }
        any = true;
        int best = 0;
        for (int c = 1; c < classes; c++) {
          int i = (r * classes + c) * positions + at;
          best = y[i] > y[(r * classes + best) * positions + at] ? c : best;
        }
        if (best == TaskEncoding.END) {
          break;
        }
        w.add(best == TaskEncoding.UNKNOWN_WORD ? -1 - at : best);
      }
      out[r] = any ? w.stream().mapToInt(Integer::intValue).toArray() : null;
    }
    return out;
  }
}
