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
 * The running {@link SpatialAttention}. Shapes below: b rows, m cells of c channels, a query of w
 * values, h heads of width k = d / h. The forward pass is recomputed in the backward pass rather
 * than cached between calls.
 */
final class SpatialAttentionLayer extends BaseLayer<SpatialAttention> {

  SpatialAttentionLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  /** What the forward pass computed, kept for the backward pass. */
  private record Pass(
      INDArray question, INDArray x, INDArray q, INDArray k, INDArray v, INDArray attention) {}

  private Pass forward(INDArray in) {
    SpatialAttention conf = layerConf();
    int w = conf.queryWidth();
    int c = conf.channels();
    int m = conf.cells();
    int h = conf.heads();
    long d = conf.getNOut();
    long b = in.size(0);
    if (in.rank() != 2 || in.columns() != w + (long) c * m) {
      throw new DL4JInvalidInputException(
          "layer "
              + conf.getLayerName()
              + " expects [batch, "
              + (w + (long) c * m)
              + "] input (a query of "
              + w
              + ", then "
              + c
              + " channels of "
              + m
              + " cells), got "
              + java.util.Arrays.toString(in.shape()));
    }
    INDArray question = in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w)).dup('c');
    // Channel-major cells [b, c, m] to one token per cell [b*m, c], plus the cell's position.
    INDArray x =
        in.get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + (long) c * m))
            .dup('c')
            .reshape('c', b, c, m)
            .permute(0, 2, 1)
            .dup('c')
            .reshape('c', b * m, c);
    x =
        x.reshape('c', b, m * (long) c)
            .addRowVector(getParam(SpatialAttention.POSITION).reshape('c', 1, m * (long) c))
            .reshape('c', b * m, c);

    INDArray q = question.mmul(getParam(SpatialAttention.QUERY)).reshape('c', b * h, 1, d / h);
    INDArray k = AttentionFusionLayer.heads(x.mmul(getParam(SpatialAttention.KEY)), b, m, h);
    INDArray v = AttentionFusionLayer.heads(x.mmul(getParam(SpatialAttention.VALUE)), b, m, h);

    // Scores [b*h, 1, m], softmax over the cells.
    INDArray scores = Nd4j.matmul(q, k, false, true, false).muli(1.0 / Math.sqrt((double) d / h));
    scores.subi(scores.max(true, 2).broadcast(scores.shape()));
    INDArray attention = Transforms.exp(scores, false);
    attention.divi(attention.sum(true, 2).broadcast(attention.shape()));
    return new Pass(question, x, q, k, v, attention);
  }

  /** The attention over the cells for {@code in}: [b, heads, cells]. */
  INDArray weights(INDArray in) {
    Pass p = forward(in);
    SpatialAttention conf = layerConf();
    return p.attention().reshape('c', in.size(0), conf.heads(), conf.cells()).dup('c');
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    Pass p = forward(input);
    INDArray out =
        Nd4j.matmul(p.attention(), p.v()).reshape('c', input.size(0), layerConf().getNOut());
    return LayoutParamInitializer.activations(workspaceMgr, out);
  }

  @Override
  protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
    return activate(training, workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    SpatialAttention conf = layerConf();
    int w = conf.queryWidth();
    int c = conf.channels();
    int m = conf.cells();
    int h = conf.heads();
    long d = conf.getNOut();
    long b = input.size(0);
    Pass p = forward(input);

    // out = A V, per head
    INDArray dOut = epsilon.dup('c').reshape('c', b * h, 1, d / h);
    INDArray dAttention = Nd4j.matmul(dOut, p.v(), false, true, false);
    INDArray dV = Nd4j.matmul(p.attention(), dOut, true, false, false);
    INDArray dScores =
        AttentionFusionLayer.softmaxBackward(
            dAttention, p.attention(), 1.0 / Math.sqrt((double) d / h));
    INDArray dQ = Nd4j.matmul(dScores, p.k()).reshape('c', b, d);
    INDArray dK =
        AttentionFusionLayer.merge(Nd4j.matmul(dScores, p.q(), true, false, false), b, m, h);
    INDArray dV2 = AttentionFusionLayer.merge(dV, b, m, h);

    gradientViews.get(SpatialAttention.QUERY).assign(p.question().transpose().mmul(dQ));
    INDArray xt = p.x().transpose();
    gradientViews.get(SpatialAttention.KEY).assign(xt.mmul(dK));
    gradientViews.get(SpatialAttention.VALUE).assign(xt.mmul(dV2));
    INDArray dX =
        dK.mmul(getParam(SpatialAttention.KEY).transpose())
            .addi(dV2.mmul(getParam(SpatialAttention.VALUE).transpose()));
    INDArray dTokens = dX.reshape('c', b, m, c);
    gradientViews.get(SpatialAttention.POSITION).assign(dTokens.sum(0));

    INDArray next = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    next.get(NDArrayIndex.all(), NDArrayIndex.interval(0, w))
        .assign(dQ.mmul(getParam(SpatialAttention.QUERY).transpose()));
    next.get(NDArrayIndex.all(), NDArrayIndex.interval(w, w + (long) c * m))
        .assign(dTokens.permute(0, 2, 1).dup('c').reshape('c', b, (long) c * m));
    return new Pair<>(LayoutParamInitializer.gradient(conf, gradientViews), next);
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }
}
