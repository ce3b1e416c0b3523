package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RetrievalRanksTest {
  static INDArray rows(double[][] values) {
    return RetrievalRanks.normalized(
        Nd4j.createFromArray(values).castTo(Nd4j.defaultFloatingPointType()));
  }

  @Test
  void partnersNearestThemselvesRankFirst() {
    INDArray e = rows(new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    RetrievalRanks r = RetrievalRanks.of(e, e);
    assertArrayEquals(new double[] {1, 1, 1}, r.recall(), 1e-12);
    assertEquals(1.0, r.medianRank());
  }

  @Test
  void ranksCountTheCandidatesMoreSimilarThanThePartner() {
    // Query i's partner is candidate i.
    INDArray queries = rows(new double[][] {{1, 0}, {0, 1}, {1, 1}, {-1, 0}});
    INDArray candidates = rows(new double[][] {{-1, 0.1}, {1, 0}, {0.9, 0.4}, {-1, -0.3}});
    // Query 0 (1, 0): c1 1.0 > c2 0.91 > c3 -0.96 > c0 -0.995 (its own): 3 above.
    // Query 1 (0, 1): c2 0.41 > c0 0.0995 > c1 0 (its own) > c3 -0.29: 2 above.
    // Query 2 (1, 1) / sqrt 2: c2 0.93 (its own) first: 0 above.
    // Query 3 (-1, 0): c0 0.995 > c3 0.958 (its own): 1 above.
    long[][] places = RetrievalRanks.places(queries, candidates);
    assertArrayEquals(new long[] {3, 0}, places[0]);
    assertArrayEquals(new long[] {2, 0}, places[1]);
    assertArrayEquals(new long[] {0, 0}, places[2]);
    assertArrayEquals(new long[] {1, 0}, places[3]);
    RetrievalRanks r = RetrievalRanks.of(queries, candidates);
    // Ranks 4, 3, 1, 2: recall@1 1/4; @5 and @10 all; median (2 + 3) / 2.
    assertArrayEquals(new double[] {0.25, 1, 1}, r.recall(), 1e-12);
    assertEquals(2.5, r.medianRank(), 1e-12);
  }

  @Test
  void aCandidateAsSimilarAsThePartnerIsATie() {
    INDArray queries = rows(new double[][] {{1, 0}, {0, 1}, {-1, 0}});
    INDArray candidates = rows(new double[][] {{0, 1}, {1, 0}, {0, 1}});
    // Query 0: its own c0 scores 0, c1 1 (above), c2 0 (a tie). Query 1: its own c1 scores 0, c0
    // and c2 1 (both above). Query 2: its own c2 scores 0, c0 0 (a tie), c1 -1.
    long[][] places = RetrievalRanks.places(queries, candidates);
    assertArrayEquals(new long[] {1, 1}, places[0]);
    assertArrayEquals(new long[] {2, 0}, places[1]);
    assertArrayEquals(new long[] {0, 1}, places[2]);
    RetrievalRanks r = RetrievalRanks.of(queries, candidates);
    // Expected ranks 2.5, 3, 1.5; recall@1: 0, 0, 1/2.
    assertEquals(0.5 / 3, r.recall()[0], 1e-12);
    assertEquals(2.5, r.medianRank(), 1e-12);
  }

  @Test
  void identicalCandidatesShareTheirPlacesInRandomOrder() {
    // Twelve identical candidates: any of them is equally the first; the partner's expected rank
    // is 6.5, recall@5 = 5/12, recall@10 = 10/12.
    double[][] same = new double[12][];
    for (int i = 0; i < 12; i++) {
      same[i] = new double[] {0.6, 0.8};
    }
    INDArray e = rows(same);
    RetrievalRanks r = RetrievalRanks.of(e, e);
    assertArrayEquals(new double[] {1 / 12.0, 5 / 12.0, 10 / 12.0}, r.recall(), 1e-9);
    assertEquals(6.5, r.medianRank(), 1e-9);
  }

  @Test
  void chanceIsKOverNAndTheMiddleRank() {
    RetrievalRanks c = RetrievalRanks.chance(200);
    assertArrayEquals(new double[] {0.005, 0.025, 0.05}, c.recall(), 1e-12);
    assertEquals(100.5, c.medianRank());
    assertArrayEquals(new double[] {0.25, 1, 1}, RetrievalRanks.chance(4).recall(), 1e-12);
  }

  @Test
  void manyQueriesSpanSeveralBlocksOfSimilarities() {
    int n = 2500;
    java.util.Random random = new java.util.Random(3);
    double[][] v = new double[n][64];
    for (double[] row : v) {
      for (int j = 0; j < row.length; j++) {
        row[j] = random.nextGaussian();
      }
    }
    RetrievalRanks r = RetrievalRanks.of(rows(v), rows(v));
    assertEquals(n, r.n());
    assertEquals(1.0, r.recall()[0], 1e-9, "each point is nearest itself");
  }

  @Test
  void aSplitWithMorePairsThanTheCapIsRankedOnTheSameSampleWhateverTheOrder() {
    org.mtlspark.prep.feature.TaskEncoding task =
        new org.mtlspark.prep.feature.TaskEncoding(
            "match",
            org.mtlspark.config.TaskConfig.TaskType.RETRIEVAL,
            "",
            1,
            java.util.List.of("text", "image"),
            java.util.List.of(1L, 1L),
            0,
            1,
            1);
    int n = TaskAccumulator.MAX_PAIRS + 5000;
    INDArray first = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n / 2, 4);
    INDArray second = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n - n / 2, 4);
    INDArray loss = Nd4j.zeros(n, 1);
    TaskAccumulator a = new TaskAccumulator(task);
    a.addPairs(first, null, loss);
    TaskAccumulator b = new TaskAccumulator(task);
    b.addPairs(second, null, loss);
    TaskAccumulator c = new TaskAccumulator(task);
    c.addPairs(second, null, loss);
    TaskAccumulator d = new TaskAccumulator(task);
    d.addPairs(first, null, loss);
    a.merge(b);
    c.merge(d);
    assertEquals(n, a.n, "every pair counted");
    assertEquals(TaskAccumulator.MAX_PAIRS, a.pairs.size());
    for (int i = 0; i < a.pairs.size(); i++) {
      assertArrayEquals(a.pairs.get(i), c.pairs.get(i), "pair " + i);
    }
  }
}
