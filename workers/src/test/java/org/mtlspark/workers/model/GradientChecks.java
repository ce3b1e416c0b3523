package org.mtlspark.workers.model;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** DL4J's gradient check on a double-precision graph, with ND4J's global default types switched to double only around it. */
final class GradientChecks {
  private GradientChecks() {}

  static boolean passes(GradientCheckUtil.GraphConfig check) {
    DataType before = Nd4j.dataType();
    DataType beforeFloat = Nd4j.defaultFloatingPointType();
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    try {
      return GradientCheckUtil.checkGradients(
          check.epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
    } finally {
      Nd4j.setDefaultDataTypes(before, beforeFloat);
    }
  }
}
