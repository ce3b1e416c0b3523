package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LossInfoNceTest {
  static final ActivationIdentity IDENTITY = new ActivationIdentity();

  static LossInfoNce loss(double temperature, double weight) {
    return new LossInfoNce(temperature, Nd4j.valueArrayOf(new long[] {1, 1}, weight));
  }

  @Test
  void twoOrthogonalPairsHaveTheLossWorkedOutByHand() {
    // a_1 = b_1 = e1, a_2 = b_2 = e2 (lengths 2 and 3 normalize away): s = I / t. Each row and
    // column: lse = log(e^(1/t) + 1), minus s_ii = 1/t; the loss of a row is that, twice halved.
    double t = 0.5;
    INDArray out = Nd4j.createFromArray(new double[][] {{2, 0, 3, 0}, {0, 2, 0, 3}});
    double expected = Math.log(Math.exp(1 / t) + 1) - 1 / t;
    INDArray perRow = loss(t, 1).computeScoreArray(null, out, IDENTITY, null);
    assertEquals(expected, perRow.getDouble(0, 0), 1e-12);
    assertEquals(expected, perRow.getDouble(1, 0), 1e-12);
    assertEquals(2 * expected, loss(t, 1).computeScore(null, out, IDENTITY, null, false), 1e-12);
    assertEquals(3 * expected, loss(t, 3).computeScore(null, out, IDENTITY, null, true), 1e-12);
    // Swapped partners: s_ii = 0, so each row pays log(e^(1/t) + 1) - 0.
    INDArray swapped = Nd4j.createFromArray(new double[][] {{2, 0, 0, 3}, {0, 2, 3, 0}});
    assertEquals(
        Math.log(Math.exp(1 / t) + 1),
        loss(t, 1).computeScoreArray(null, swapped, IDENTITY, null).getDouble(0, 0),
        1e-12);
  }

  @Test
  void bothDirectionsCountWhenTheyDiffer() {
    // a_1 = a_2 = e1, b_1 = e1, b_2 = e2: s = [[1, 0], [1, 0]] / t. Rows: lse(1/t, 0) - 1/t and
    // lse(1/t, 0) - 0. Columns: lse(1/t, 1/t) - 1/t = log 2 and lse(0, 0) - 0 = log 2.
    double t = 0.25;
    INDArray out = Nd4j.createFromArray(new double[][] {{1, 0, 1, 0}, {3, 0, 0, 2}});
    double lse = Math.log(Math.exp(1 / t) + 1);
    INDArray perRow = loss(t, 1).computeScoreArray(null, out, IDENTITY, null);
    assertEquals(0.5 * ((lse - 1 / t) + Math.log(2)), perRow.getDouble(0, 0), 1e-12);
    assertEquals(0.5 * (lse + Math.log(2)), perRow.getDouble(1, 0), 1e-12);
  }

  @Test
  void maskedRowsAreNeitherAnchorsNorNegativesAndOnePairAloneHasNoLoss() {
    INDArray three =
        Nd4j.createFromArray(
            new double[][] {{1, 0.2, 0.3, 1}, {0.1, 1, 1, -0.4}, {0.7, -0.5, 0.2, 0.9}});
    INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}});
    INDArray kept = Nd4j.createFromArray(new double[][] {{1, 0.2, 0.3, 1}, {0.7, -0.5, 0.2, 0.9}});
    INDArray withMask = loss(0.1, 1).computeScoreArray(null, three, IDENTITY, mask);
    INDArray alone = loss(0.1, 1).computeScoreArray(null, kept, IDENTITY, null);
    assertEquals(alone.getDouble(0, 0), withMask.getDouble(0, 0), 1e-12);
    assertEquals(0.0, withMask.getDouble(1, 0), 0.0);
    assertEquals(alone.getDouble(1, 0), withMask.getDouble(2, 0), 1e-12);
    INDArray g = loss(0.1, 1).computeGradient(null, three, IDENTITY, mask);
    assertEquals(0.0, g.getRow(1).norm1Number().doubleValue(), 0.0, "no gradient on a masked row");
    INDArray onePair = Nd4j.createFromArray(new double[][] {{1, 2, 3, 4}});
    assertEquals(0.0, loss(0.1, 1).computeScore(null, onePair, IDENTITY, null, false), 0.0);
  }

  @Test
  void theGradientMatchesCentralDifferences() {
    Nd4j.getRandom().setSeed(11);
    INDArray out = Nd4j.randn(DataType.DOUBLE, 5, 6);
    INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {1}, {0}, {1}, {1}});
    LossInfoNce l = loss(0.2, 1.5);
    INDArray analytic = l.computeGradient(null, out, IDENTITY, mask);
    double eps = 1e-6;
    for (int i = 0; i < 5; i++) {
      for (int j = 0; j < 6; j++) {
        INDArray plus = out.dup();
        plus.putScalar(i, j, out.getDouble(i, j) + eps);
        INDArray minus = out.dup();
        minus.putScalar(i, j, out.getDouble(i, j) - eps);
        double numeric =
            (l.computeScore(null, plus, IDENTITY, mask, false)
                    - l.computeScore(null, minus, IDENTITY, mask, false))
                / (2 * eps);
        assertEquals(
            numeric, analytic.getDouble(i, j), 1e-6, "d loss / d out[" + i + "," + j + "]");
      }
    }
  }

  @Test
  void refusesAnOddWidthAndABadTemperature() {
    assertThrows(IllegalArgumentException.class, () -> loss(0, 1));
    INDArray odd = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {4, 5, 6}});
    assertThrows(
        IllegalStateException.class,
        () -> loss(1, 1).computeScore(null, odd, IDENTITY, null, false));
  }
}
