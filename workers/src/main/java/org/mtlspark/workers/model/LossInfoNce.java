package org.mtlspark.workers.model;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.serde.jackson.shaded.NDArrayTextDeSerializer;
import org.nd4j.serde.jackson.shaded.NDArrayTextSerializer;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.shade.jackson.databind.annotation.JsonDeserialize;
import org.nd4j.shade.jackson.databind.annotation.JsonSerialize;

/**
 * The in-batch contrastive loss of a retrieval task (InfoNCE, both directions, as CLIP trains its
 * two encoders). Each row of the output holds the two sides' projections side by side, {@code [a,
 * b]} of {@code d} values each; both are normalized to length 1 and the similarity of row i's
 * {@code a} with row j's {@code b} is {@code s_ij = a_i . b_j / temperature}. Over the n rows the
 * mask keeps (the records that have both sides), row i's loss is half the cross-entropy of finding
 * {@code b_i} among every kept row's {@code b} from {@code a_i}, plus half that of finding {@code
 * a_i} from {@code b_i}: {@code (lse_j s_ij - s_ii) / 2 + (lse_j s_ji - s_ii) / 2}, times the task
 * weight. The other rows of the batch are the negatives, so the loss depends on the batch; a batch
 * with fewer than two pairs has nothing to tell apart and no loss. The labels are not read. The
 * gradient is written out here (through the normalization) and checked against DL4J's numerical
 * gradient in the tests.
 */
public final class LossInfoNce implements ILossFunction {
  private static final long serialVersionUID = 1L;

  /** Below this length a projection is not normalized further (it would divide by ~0). */
  static final double MIN_NORM = 1e-12;

  @JsonProperty("temperature")
  private final double temperature;

  @JsonSerialize(using = NDArrayTextSerializer.class)
  @JsonDeserialize(using = NDArrayTextDeSerializer.class)
  @JsonProperty("weights")
  private final INDArray weights;

  /**
   * @param temperature divides the cosine similarities (lower: sharper)
   * @param weights one value, the task weight lambda ({@link TaskLossWeights} sets it in place)
   */
  @JsonCreator
  public LossInfoNce(
      @JsonProperty("temperature") double temperature, @JsonProperty("weights") INDArray weights) {
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException("the temperature must be > 0, was " + temperature);
    }
    if (weights == null || weights.length() != 1) {
      throw new IllegalArgumentException("weights must hold one value, the task weight");
    }
    this.temperature = temperature;
    this.weights = weights;
  }

  public double getTemperature() {
    return temperature;
  }

  public INDArray getWeights() {
    return weights;
  }

  /** The loss per row (0 where masked) and, when asked, its gradient by the output. */
  private record Pass(double[] perRow, double[][] gradient) {}

  private Pass pass(INDArray output, INDArray mask, boolean withGradient) {
    int rows = (int) output.size(0);
    int width = (int) output.size(1);
    if (width % 2 != 0) {
      throw new IllegalStateException(
          "a retrieval output holds two projections of equal width, had " + width + " values");
    }
    int d = width / 2;
    double[][] x = output.castTo(DataType.DOUBLE).toDoubleMatrix();
    int[] kept = new int[rows];
    int n = 0;
    for (int r = 0; r < rows; r++) {
      if (mask == null || mask.getDouble(r, 0) > 0) {
        kept[n++] = r;
      }
    }
    double[] perRow = new double[rows];
    double[][] gradient = withGradient ? new double[rows][width] : null;
    if (n < 2) {
      return new Pass(perRow, gradient);
    }
    double lambda = weights.getDouble(0);
    double[][] a = new double[n][];
    double[][] b = new double[n][];
    double[] normA = new double[n];
    double[] normB = new double[n];
    for (int i = 0; i < n; i++) {
      double[] row = x[kept[i]];
      normA[i] = norm(row, 0, d);
      normB[i] = norm(row, d, d);
      a[i] = scaled(row, 0, d, 1 / normA[i]);
      b[i] = scaled(row, d, d, 1 / normB[i]);
    }
    double[][] s = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s[i][j] = dot(a[i], b[j]) / temperature;
      }
    }
    double[] rowLse = new double[n];
    double[] colLse = new double[n];
    for (int i = 0; i < n; i++) {
      double rowMax = Double.NEGATIVE_INFINITY;
      double colMax = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < n; j++) {
        rowMax = Math.max(rowMax, s[i][j]);
        colMax = Math.max(colMax, s[j][i]);
      }
      double rowSum = 0;
      double colSum = 0;
      for (int j = 0; j < n; j++) {
        rowSum += Math.exp(s[i][j] - rowMax);
        colSum += Math.exp(s[j][i] - colMax);
      }
      rowLse[i] = rowMax + Math.log(rowSum);
      colLse[i] = colMax + Math.log(colSum);
    }
    for (int i = 0; i < n; i++) {
      perRow[kept[i]] = lambda * 0.5 * ((rowLse[i] - s[i][i]) + (colLse[i] - s[i][i]));
    }
    if (!withGradient) {
      return new Pass(perRow, null);
    }
    // d loss / d s_ij = lambda / 2 * (softmax over row i + softmax over column j - 2 [i == j]).
    double[][] dA = new double[n][d];
    double[][] dB = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double g =
            lambda
                * 0.5
                * (Math.exp(s[i][j] - rowLse[i]) + Math.exp(s[i][j] - colLse[j]) - (i == j ? 2 : 0))
                / temperature;
        for (int k = 0; k < d; k++) {
          dA[i][k] += g * b[j][k];
          dB[j][k] += g * a[i][k];
        }
      }
    }
    for (int i = 0; i < n; i++) {
      unnormalize(dA[i], a[i], normA[i], gradient[kept[i]], 0);
      unnormalize(dB[i], b[i], normB[i], gradient[kept[i]], d);
    }
    return new Pass(perRow, gradient);
  }

  private static double norm(double[] row, int from, int length) {
    double sum = 0;
    for (int k = from; k < from + length; k++) {
      sum += row[k] * row[k];
    }
    return Math.max(MIN_NORM, Math.sqrt(sum));
  }

  private static double[] scaled(double[] row, int from, int length, double by) {
    double[] out = new double[length];
    for (int k = 0; k < length; k++) {
      out[k] = row[from + k] * by;
    }
    return out;
  }

  private static double dot(double[] x, double[] y) {
    double sum = 0;
    for (int k = 0; k < x.length; k++) {
      sum += x[k] * y[k];
    }
    return sum;
  }

  /**
   * The gradient by a raw projection x from the one by its normalized u = x / |x|: (g - u (u . g))
   * / |x|, written into {@code out} from {@code at}.
   */
  private static void unnormalize(double[] g, double[] u, double norm, double[] out, int at) {
    double along = dot(u, g);
    for (int k = 0; k < g.length; k++) {
      out[at + k] = (g[k] - u[k] * along) / norm;
    }
  }

  @Override
  public double computeScore(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask, boolean average) {
    double[] perRow = pass(activation.getActivation(preOutput.dup(), false), mask, false).perRow();
    double sum = 0;
    for (double v : perRow) {
      sum += v;
    }
    return average ? sum / preOutput.size(0) : sum;
  }

  @Override
  public INDArray computeScoreArray(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    double[] perRow = pass(activation.getActivation(preOutput.dup(), false), mask, false).perRow();
    return Nd4j.createFromArray(perRow).reshape(perRow.length, 1).castTo(preOutput.dataType());
  }

  @Override
  public INDArray computeGradient(
      INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
    INDArray output = activation.getActivation(preOutput.dup(), false);
    INDArray dLdOut =
        Nd4j.createFromArray(pass(output, mask, true).gradient()).castTo(preOutput.dataType());
    return activation.backprop(preOutput.dup(), dLdOut).getFirst();
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
    return "infonce";
  }

  @Override
  public String toString() {
    return "LossInfoNce(temperature=" + temperature + ", weights=" + weights + ")";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LossInfoNce l
        && l.temperature == temperature
        && Objects.equals(l.weights, weights);
  }

  @Override
  public int hashCode() {
    return Objects.hash(temperature, weights);
  }
}
