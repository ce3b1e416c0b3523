package org.mtlspark.workers.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The soft-sharing penalty on a parameter that holds one block per task tower, towers first:
 * {@code mu * sum_t ||W_t - mean_s(W_s)||^2}. Its gradient with respect to {@code W_t} is
 * {@code 2 mu (W_t - mean)} (the terms through the mean cancel), added before the updater like
 * L2. It lives in the parameters alone, so parameter averaging and saving a model keep it.
 */
public final class TowerPull implements Regularization {
  private static final long serialVersionUID = 1L;

  @JsonProperty("mu")
  private final double mu;

  @JsonProperty("towers")
  private final int towers;

  @JsonCreator
  public TowerPull(@JsonProperty("mu") double mu, @JsonProperty("towers") int towers) {
    if (!(mu >= 0) || Double.isInfinite(mu)) {
      throw new IllegalArgumentException("mu must be >= 0, was " + mu);
    }
    if (towers < 1) {
      throw new IllegalArgumentException("towers must be >= 1, was " + towers);
    }
    this.mu = mu;
    this.towers = towers;
  }

  public double mu() {
    return mu;
  }

  @Override
  public ApplyStep applyStep() {
    return ApplyStep.BEFORE_UPDATER;
  }

  /** Each tower's difference from the mean tower, one tower per row. */
  private INDArray deviations(INDArray param) {
    if (param.length() % towers != 0) {
      throw new IllegalArgumentException(
          "a parameter of " + param.length() + " values does not hold " + towers + " equal towers");
    }
    INDArray rows = param.dup('c').reshape('c', towers, param.length() / towers);
    return rows.subiRowVector(rows.mean(0));
  }

  @Override
  public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
    if (mu == 0) {
      return;
    }
    INDArray pull = deviations(param).muli(2 * mu);
    // gradView may be a strided view; add through a view of the same shape.
    gradView.addi(pull.reshape('c', gradView.shape()));
  }

  @Override
  public double score(INDArray param, int iteration, int epoch) {
    if (mu == 0) {
      return 0;
    }
    double norm = deviations(param).norm2Number().doubleValue();
    return mu * norm * norm;
  }

  @Override
  public Regularization clone() {
    return new TowerPull(mu, towers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TowerPull p && p.mu == mu && p.towers == towers;
  }

  @Override
  public int hashCode() {
    return Double.hashCode(mu) * 31 + towers;
  }
}
