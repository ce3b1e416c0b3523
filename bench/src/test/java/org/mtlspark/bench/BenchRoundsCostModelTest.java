package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchRoundsCostModelTest {
  @Test
  void theCostModelRecoversKnownCoefficients() {
    List<double[]> cells = new java.util.ArrayList<>();
    for (double w : new double[] {2, 4, 8, 16}) {
      for (double p : new double[] {1e4, 1e5, 1e6}) {
        cells.add(new double[] {w, p, 0.05 + 0.01 * w + 2e-8 * w * p});
      }
    }
    double[] model = BenchRoundsCommand.CostModel.fit(cells);
    assertEquals(0.05, model[0], 1e-9);
    assertEquals(0.01, model[1], 1e-9);
    assertEquals(2e-8, model[2], 1e-15);
    assertEquals(
        0.05 + 1.0 + 2e-8 * 100 * 1e6, BenchRoundsCommand.CostModel.predict(model, 100, 1e6), 1e-6);
  }
}
