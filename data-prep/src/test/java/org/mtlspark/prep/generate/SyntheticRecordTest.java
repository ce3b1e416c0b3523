package org.mtlspark.prep.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SyntheticRecordTest {
  static final SyntheticRecord.Rates RATES = new SyntheticRecord.Rates(0.1, 0.1, 0.01, 0.3);

  @Test
  void theSameSeedAndIndexGiveTheSameRecord() {
    SyntheticRecord a = new SyntheticRecord(7, 123, 16, 16, RATES);
    SyntheticRecord b = new SyntheticRecord(7, 123, 16, 16, RATES);
    assertEquals(a.tabularCsv, b.tabularCsv);
    assertEquals(a.textJson(), b.textJson());
    assertArrayEquals(a.imageBytes(), b.imageBytes());
    assertEquals(a.labelsCsv, b.labelsCsv);
    assertNotEquals(a.labelsCsv, new SyntheticRecord(8, 123, 16, 16, RATES).labelsCsv);
  }

  @Test
  void imperfectionsAppearAtRoughlyTheConfiguredRates() {
    int n = 20_000;
    int noText = 0;
    int malformedLabels = 0;
    for (int i = 0; i < n; i++) {
      SyntheticRecord r = new SyntheticRecord(1, i, 16, 16, RATES);
      noText += r.hasText ? 0 : 1;
      malformedLabels += r.labelsMalformed ? 1 : 0;
    }
    assertEquals(0.1, noText / (double) n, 0.01);
    assertEquals(0.01, malformedLabels / (double) n, 0.003);
  }

  @Test
  void tasksShareTheLatentFactors() {
    // spend and tier both rise with z0 (tier also with z2, which lowers spend a little):
    // the regression and the multi-class task are clearly correlated.
    int n = 5000;
    double[] spend = new double[n];
    double[] tier = new double[n];
    SyntheticRecord.Rates clean = new SyntheticRecord.Rates(0, 0, 0, 0.3);
    for (int i = 0; i < n; i++) {
      String[] cells = new SyntheticRecord(3, i, 16, 16, clean).labelsCsv.split(",");
      spend[i] = Double.parseDouble(cells[1]);
      tier[i] = java.util.Arrays.asList(SyntheticRecord.TIERS).indexOf(cells[2]);
    }
    assertTrue(correlation(spend, tier) > 0.2, "corr " + correlation(spend, tier));
  }

  static double correlation(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i] / x.length;
      my += y[i] / y.length;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
