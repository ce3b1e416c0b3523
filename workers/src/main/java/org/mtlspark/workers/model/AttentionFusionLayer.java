package org.mtlspark.workers.model;

import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The running {@link AttentionFusion}. Shapes below: b rows, m tokens, d token width, h heads of
 * width k = d / h. The forward pass is recomputed in the backward pass (as DL4J's own layers do)
 * rather than cached between calls.
 */
final class AttentionFusionLayer extends BaseLayer<AttentionFusion> {
  /** Added to the score of an absent key: its softmax weight underflows to exactly 0. */
  private static final double ABSENT = -1e9;

  AttentionFusionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** What the forward pass computed, kept for the backward pass. */
  private record Pass(
      INDArray x,
      INDArray q,
      INDArray k,
      INDArray v,
      INDArray attention,
      INDArray mixed,
      INDArray poolWeights,
      INDArray out) {}

  private Pass forward() {
    assertInputSet(false);
    AttentionFusion conf = layerConf();
    int m = conf.tokens();
    int h = conf.heads();
    long d = conf.dim();
    long b = input.size(0);
    if (input.rank() != 2 || input.columns() != m * (d + 1)) {
      throw new DL4JInvalidInputException(
          "layer "
              + conf.getLayerName()
              + " expects [batch, "
              + m * (d + 1)
              + "] input ("
              + m
              + " tokens of "
              + d
              + " and their presence flags), got "
              + java.util.Arrays.toString(input.shape()));
    }
    INDArray x =
        input
            .get(NDArrayIndex.all(), NDArrayIndex.interval(0, m * d))
            .dup('c')
            .reshape('c', b * m, d);
    INDArray present =
        input.get(NDArrayIndex.all(), NDArrayIndex.interval(m * d, m * (d + 1))).dup('c');
    present = Transforms.step(present.subi(0.5), false);

    INDArray q = heads(x.mmul(getParam(AttentionFusion.QUERY)), b, m, h);
    INDArray k = heads(x.mmul(getParam(AttentionFusion.KEY)), b, m, h);
    INDArray v = heads(x.mmul(getParam(AttentionFusion.VALUE)), b, m, h);

    // Scores [b*h, m, m], absent keys pushed to -1e9, softmax over the keys.
    INDArray scores = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt((double) d / h));
    INDArray keyPresent =
        present.reshape('c', b, 1, 1, m).broadcast(b, h, m, m).dup('c').reshape('c', b * h, m, m);
    scores.addi(keyPresent.rsub(1.0).muli(ABSENT));
    scores.subi(scores.max(true, 2).broadcast(scores.shape()));
    INDArray attention = Transforms.exp(scores, false);
    attention.divi(attention.sum(true, 2).broadcast(attention.shape()));
    // A row without any key present attends to nothing.
    attention.muli(keyPresent);

    INDArray mixed = merge(Nd4j.matmul(attention, v), b, m, h);
    INDArray tokensOut =
        mixed.mmul(getParam(AttentionFusion.OUT)).addiRowVector(getParam(AttentionFusion.OUT_BIAS));
    // Mean over the present tokens.
    INDArray count = Transforms.max(present.sum(true, 1), 1.0, false);
    INDArray poolWeights = present.divColumnVector(count);
    INDArray out =
        tokensOut
            .reshape('c', b, m, d)
            .muli(poolWeights.reshape('c', b, m, 1).broadcast(b, m, d))
            .sum(1);
    return new Pass(x, q, k, v, attention, mixed, poolWeights, out);
  }

  /**
   * The gradient of scaled scores S (times {@code scale}) from that of their softmax over the last
   * axis, {@code dAttention}, given the softmax {@code a}: {@code scale * A * (dA - sum_j dA_j A_j)}.
   * Overwrites {@code dAttention}.
   */
  static INDArray softmaxBackward(INDArray dAttention, INDArray a, double scale) {
    INDArray inner = dAttention.mul(a).sum(true, 2);
    return dAttention.subi(inner.broadcast(dAttention.shape())).muli(a).muli(scale);
  }

  /** [b*m, d] to [b*h, m, k]: one matrix of tokens per row and head. */
  static INDArray heads(INDArray a, long b, int m, int h) {
    long k = a.size(1) / h;
    return a.reshape('c', b, m, h, k).permute(0, 2, 1, 3).dup('c').reshape('c', b * h, m, k);
  }

  /** [b*h, m, k] back to [b*m, d]. */
  static INDArray merge(INDArray a, long b, int m, int h) {
    long k = a.size(2);
    return a.reshape('c', b, h, m, k).permute(0, 2, 1, 3).dup('c').reshape('c', b * m, h * k);
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    return LayoutParamInitializer.activations(workspaceMgr, forward().out());
  }

  @Override
  protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
    return activate(training, workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    AttentionFusion conf = layerConf();
    int m = conf.tokens();
    int h = conf.heads();
    long d = conf.dim();
    long b = input.size(0);
    Pass p = forward();

    // out = sum_m w_m (mixed_m Wo + bo)
    INDArray dTokens =
        epsilon
            .reshape('c', b, 1, d)
            .broadcast(b, m, d)
            .mul(p.poolWeights().reshape('c', b, m, 1).broadcast(b, m, d))
            .reshape('c', b * m, d);
    gradientViews.get(AttentionFusion.OUT).assign(p.mixed().transpose().mmul(dTokens));
    gradientViews.get(AttentionFusion.OUT_BIAS).assign(dTokens.sum(0).reshape(1, d));
    INDArray dMixed = heads(dTokens.mmul(getParam(AttentionFusion.OUT).transpose()), b, m, h);

    // mixed = A V
    INDArray dAttention = Nd4j.matmul(dMixed, p.v(), false, true, false);
    INDArray dV = Nd4j.matmul(p.attention(), dMixed, true, false, false);
    // Absent keys have A = 0 and so no gradient.
    INDArray dScores = softmaxBackward(dAttention, p.attention(), 1.0 / Math.sqrt((double) d / h));
    INDArray dQ = Nd4j.matmul(dScores, p.k());
    INDArray dK = Nd4j.matmul(dScores, p.q(), true, false, false);

    INDArray dQm = merge(dQ, b, m, h);
    INDArray dKm = merge(dK, b, m, h);
    INDArray dVm = merge(dV, b, m, h);
    INDArray xt = p.x().transpose();
    gradientViews.get(AttentionFusion.QUERY).assign(xt.mmul(dQm));
    gradientViews.get(AttentionFusion.KEY).assign(xt.mmul(dKm));
    gradientViews.get(AttentionFusion.VALUE).assign(xt.mmul(dVm));
    INDArray dX =
        dQm.mmul(getParam(AttentionFusion.QUERY).transpose())
            .addi(dKm.mmul(getParam(AttentionFusion.KEY).transpose()))
            .addi(dVm.mmul(getParam(AttentionFusion.VALUE).transpose()));

    INDArray next = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    next.get(NDArrayIndex.all(), NDArrayIndex.interval(0, m * d)).assign(dX.reshape('c', b, m * d));
    return new Pair<>(LayoutParamInitializer.gradient(conf, gradientViews), next);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }
}
