package org.mtlspark.workers.model;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.LossUtil;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.serde.jackson.shaded.NDArrayTextDeSerializer;
import org.nd4j.serde.jackson.shaded.NDArrayTextSerializer;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;
import org.nd4j.shade.jackson.databind.annotation.JsonSerialize;

/**
 * The Huber loss for regression: per output, with residual r = prediction - label, {@code r^2 / 2}
 * when {@code |r| <= delta}, else {@code delta * (|r| - delta / 2)}; quadratic near the target,
 * linear in the tails, so a few wild labels pull less than under MSE. Like ND4J's MSE it averages
 * over the outputs of an example, multiplies each output by its weight (the task weight lambda),
 * and zeroes masked examples. Saved with the model (its delta and weights are in the JSON).
 */
public final class LossHuber implements ILossFunction {
  private static final long serialVersionUID = 1L;

  @JsonProperty("delta")
  private final double delta;

  @JsonSerialize(using = NDArrayTextSerializer.class)
  @JsonDeserialize(using = NDArrayTextDeSerializer.class)
  @JsonProperty("weights")
  private final INDArray weights;

  @JsonCreator
  public LossHuber(@JsonProperty("delta") double delta, @JsonProperty("weights") INDArray weights) {
    if (!(delta > 0) || Double.isInfinite(delta)) {
      throw new IllegalArgumentException("Huber delta must be > 0, was " + delta);
    }
    if (weights != null && (weights.rank() != 2 || weights.size(0) != 1)) {
      throw new IllegalArgumentException(
          "weights must be one row [1, outputs], had shape "
              + java.util.Arrays.toString(weights.shape()));
    }
    this.delta = delta;
    this.weights = weights;
  }

  public double getDelta() {
    return delta;
  }

  public INDArray getWeights() {
    return weights;
  }

  /** Loss per example and output (masked, weighted, divided by the output count). */
  private INDArray elementwise(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    INDArray output = activation.getActivation(preOutput.dup(), true);
    INDArray abs = Transforms.abs(output.subi(labels.castTo(output.dataType())), false);
    // Quadratic part min(|r|, delta), linear part |r| - that: loss = q^2 / 2 + delta * l.
    INDArray quadratic = Transforms.min(abs, delta, true);
    INDArray linear = abs.sub(quadratic);
    INDArray loss = quadratic.muli(quadratic).muli(0.5).addi(linear.muli(delta));
    return weightAndMask(loss, mask);
  }

  private INDArray weightAndMask(INDArray perOutput, INDArray mask) {
    if (weights != null) {
      if (weights.length() != perOutput.size(1)) {
        throw new IllegalStateException(
            "the loss has " + weights.length() + " weights for " + perOutput.size(1) + " outputs");
      }
      perOutput.muliRowVector(weights.castTo(perOutput.dataType()));
    }
    if (mask != null) {
      LossUtil.applyMask(perOutput, mask);
    }
    return perOutput.divi(perOutput.size(1));
  }

  @Override
  public double computeScore(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask, boolean average) {
    double score = elementwise(labels, preOutput, activation, mask).sumNumber().doubleValue();
    return average ? score / preOutput.size(0) : score;
  }

  @Override
  public INDArray computeScoreArray(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    return elementwise(labels, preOutput, activation, mask).sum(true, 1);
  }

  @Override
  public INDArray computeGradient(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    INDArray output = activation.getActivation(preOutput.dup(), true);
    // d loss / d output: the residual clipped to [-delta, delta].
    INDArray dLdOut =
        Transforms.max(
            Transforms.min(output.subi(labels.castTo(output.dataType())), delta, false),
            -delta,
            false);
    weightAndMask(dLdOut, mask);
    INDArray grad = activation.backprop(preOutput.dup(), dLdOut).getFirst();
    if (mask != null) {
      LossUtil.applyMask(grad, mask);
    }
    return grad;
  }

  @Override
  public Pair<Double, INDArray> computeGradientAndScore(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask, boolean average) {
    return new Pair<>(
        computeScore(labels, preOutput, activation, mask, average),
        computeGradient(labels, preOutput, activation, mask));
  }

  @Override
  public String name() {
    return "huber";
  }

  @Override
  public String toString() {
    return "LossHuber(delta=" + delta + (weights == null ? "" : ", weights=" + weights) + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossHuber h && h.delta == delta && Objects.equals(h.weights, weights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(delta, weights);
  }
}
