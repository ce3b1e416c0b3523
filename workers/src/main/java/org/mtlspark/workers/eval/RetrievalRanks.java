package org.mtlspark.workers.eval;

import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where each pair's partner ranks among all candidates of a retrieval task, in one direction: pair
 * i's query side is compared (cosine similarity) with the other side of every pair, and its rank is
 * 1 plus the number of candidates more similar than its own partner. Candidates exactly as similar
 * as the partner (identical texts or images give identical projections) are taken in random order:
 * the rank is the expected one, and recall@k the probability that the partner is among the first
 * k. Chance: recall@k = k / n, median rank (n + 1) / 2.
 *
 * @param n the pairs (and candidates)
 * @param recall recall@k for each k of {@link #KS}
 * @param medianRank the median over the pairs of the expected rank
 */
public record RetrievalRanks(int n, double[] recall, double medianRank) {

  /** The cut-offs reported: recall@1, @5 and @10. */
  public static final List<Integer> KS = List.of(1, 5, 10);

  /** Similarities closer than this are ties. */
  static final double TIE = 1e-5;

  /** Queries compared with all candidates at a time (one block of similarities in memory). */
  private static final int BLOCK = 256;

  /**
   * The ranks of {@code queries[i]}'s partner {@code candidates[i]} among all {@code candidates};
   * both [n, d] and normalized to length 1.
   */
  public static RetrievalRanks of(INDArray queries, INDArray candidates) {
    long[][] places = places(queries, candidates);
    int n = places.length;
    double[] ranks = new double[n];
    double[] hits = new double[KS.size()];
    for (int q = 0; q < n; q++) {
      long above = places[q][0];
      long ties = places[q][1];
      // The partner's rank is uniform on above + 1 .. above + ties + 1.
      ranks[q] = above + 1 + ties / 2.0;
      for (int k = 0; k < KS.size(); k++) {
        hits[k] += Math.min(1, Math.max(0, (KS.get(k) - above) / (double) (ties + 1)));
      }
    }
    double[] recall = new double[KS.size()];
    for (int k = 0; k < recall.length; k++) {
      recall[k] = n == 0 ? 0 : hits[k] / n;
    }
    return new RetrievalRanks(n, recall, median(ranks));
  }

  /**
   * Per query, how many candidates are more similar than its partner and how many as similar
   * (within {@link #TIE}), the partner itself not counted.
   */
  static long[][] places(INDArray queries, INDArray candidates) {
    int n = (int) queries.size(0);
    long[][] out = new long[n][2];
    INDArray c = candidates.castTo(DataType.FLOAT).transpose().dup('c');
    INDArray all = queries.castTo(DataType.FLOAT);
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      float[] s =
          all.get(
                  org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                  org.nd4j.linalg.indexing.NDArrayIndex.all())
              .mmul(c)
              .dup('c')
              .data()
              .asFloat();
      for (int q = from; q < to; q++) {
        long row = (long) (q - from) * n;
        double own = s[(int) (row + q)];
        for (int j = 0; j < n; j++) {
          if (j == q) {
            continue;
          }
          double v = s[(int) (row + j)];
          if (v > own + TIE) {
            out[q][0]++;
          } else if (v >= own - TIE) {
            out[q][1]++;
          }
        }
      }
    }
    return out;
  }

  /** Chance: the partner at a uniformly random rank among {@code n}. */
  public static RetrievalRanks chance(int n) {
    double[] recall = new double[KS.size()];
    for (int k = 0; k < recall.length; k++) {
      recall[k] = n == 0 ? 0 : Math.min(1.0, KS.get(k) / (double) n);
    }
    return new RetrievalRanks(n, recall, (n + 1) / 2.0);
  }

  /** Rows of {@code x} scaled to length 1 (a zero row stays zero). */
  public static INDArray normalized(INDArray x) {
    INDArray norms = x.norm2(1).reshape(x.size(0), 1);
    return x.divColumnVector(org.nd4j.linalg.ops.transforms.Transforms.max(norms, 1e-12, true));
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int m = v.length / 2;
    return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
  }

  /** Stacks rows of equal width into [rows, width]. */
  static INDArray stack(List<float[]> rows, int from, int width) {
    float[][] out = new float[rows.size()][width];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), from, out[i], 0, width);
    }
    return rows.isEmpty() ? Nd4j.zeros(DataType.FLOAT, 0, width) : Nd4j.createFromArray(out);
  }
}
