package org.mtlspark.bench.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChanceLevelTest {
  /** A confusion matrix whose rows hold {@code counts} (all predicted as class 0: only the rows count). */
  private static List<List<Long>> rows(long... counts) {
    List<List<Long>> out = new java.util.ArrayList<>();
    for (long c : counts) {
      List<Long> row = new java.util.ArrayList<>(java.util.Collections.nCopies(counts.length, 0L));
      row.set(0, c);
      out.add(row);
    }
    return out;
  }

  @Test
  void guessingByTheTestSharesScoresOneOverTheClasses() {
    assertEquals(0.25, ChanceLevel.macroF1(List.of(10L, 20L, 30L, 40L), rows(1, 2, 3, 4)), 1e-12);
    assertEquals(0.5, ChanceLevel.macroF1(List.of(7L, 7L), rows(50, 50)), 1e-12);
  }

  @Test
  void theAttritionSatisfactionSplitMatchesSimulatedGuessing() {
    List<Long> train = List.of(225L, 218L, 341L, 354L);
    List<List<Long>> test = rows(32, 29, 54, 44);
    double formula = ChanceLevel.macroF1(train, test);
    // Simulate the guess on the same 159 rows and compare the mean macro-F1.
    Random r = new Random(5);
    double total = 0;
    int draws = 4000;
    long[] actual = {32, 29, 54, 44};
    for (int d = 0; d < draws; d++) {
      long[][] c = new long[4][4];
      for (int y = 0; y < 4; y++) {
        for (int i = 0; i < actual[y]; i++) {
          double u = r.nextDouble() * 1138;
          int g = u < 225 ? 0 : u < 443 ? 1 : u < 784 ? 2 : 3;
          c[y][g]++;
        }
      }
      double f1 = 0;
      for (int k = 0; k < 4; k++) {
        long tp = c[k][k];
        long predicted = c[0][k] + c[1][k] + c[2][k] + c[3][k];
        f1 += predicted + actual[k] == 0 ? 0 : 2.0 * tp / (predicted + actual[k]);
      }
      total += f1 / 4;
    }
    assertEquals(total / draws, formula, 0.005, "formula " + formula);
    assertTrue(formula > 0.24 && formula < 0.26, "about a quarter: " + formula);
  }

  @Test
  void mismatchedClassesAreRefusedAndEmptySplitsGiveNaN() {
    assertThrows(
        IllegalArgumentException.class, () -> ChanceLevel.macroF1(List.of(1L, 2L), rows(1, 2, 3)));
    assertTrue(Double.isNaN(ChanceLevel.macroF1(List.of(1L, 2L), rows(0, 0))));
  }
}
