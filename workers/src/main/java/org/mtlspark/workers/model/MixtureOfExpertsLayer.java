package org.mtlspark.workers.model;

import java.util.Map;
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

/**
 * The running {@link MixtureOfExperts}. Expert e computes {@code h_e = act(x_b(e) EW_e + Eb_e)} from
 * its input block, gate k {@code g_k = softmax(x_k W_k + b_k)} from its own (task k's, or the shared
 * block for the shared gate), and output k is {@code sum_j g_k[j] h_(e_k(j))} over the experts the
 * gate mixes. The backward pass is written out: {@code dh_e = sum_k g_k[j] dy_k} over the gates
 * that mix e, {@code dg_k[j] = <dy_k, h_(e_k(j))>}, the softmax's {@code da_k = g_k (dg_k - <dg_k,
 * g_k>)}, and each block's input gradient the sum over the experts and gates that read it.
 */
final class MixtureOfExpertsLayer extends BaseLayer<MixtureOfExperts> {

  MixtureOfExpertsLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private static INDArray columns(INDArray a, long from, long width) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + width));
  }

  /** Block {@code b} of an input (or input gradient) {@code x}: all of it when the input is one block. */
  static INDArray block(MixtureOfExperts conf, INDArray x, int b) {
    return conf.blockedInput() ? columns(x, b * conf.blockIn(), conf.blockIn()) : x;
  }

  /** The gates: each task's, then the shared one when the layer has a shared output. */
  static int gateCount(MixtureOfExperts conf) {
    return conf.tasks() + (conf.sharedOutput() ? 1 : 0);
  }

  /** How many experts gate {@code k} mixes. */
  static int gateLength(MixtureOfExperts conf, int k) {
    return k < conf.tasks() ? conf.gateSize() : conf.allExperts();
  }

  /** The expert behind entry {@code j} of gate {@code k}. */
  static int gateExpert(MixtureOfExperts conf, int k, int j) {
    return k < conf.tasks() ? conf.gateExpert(k, j) : j;
  }

  /** Gate {@code k}'s weights [in, its length] among the layer's parameters (or gradients). */
  private static INDArray gateWeights(MixtureOfExperts conf, Map<String, INDArray> p, int k) {
    return k < conf.tasks()
        ? TaskTowersLayer.tower(p.get(MixtureOfExperts.GATE_WEIGHTS), k)
        : TaskTowersLayer.tower(p.get(MixtureOfExperts.SHARED_GATE_WEIGHTS), 0);
  }

  /** Gate {@code k}'s biases [1, its length] among the layer's parameters (or gradients). */
  private static INDArray gateBias(MixtureOfExperts conf, Map<String, INDArray> p, int k) {
    return k < conf.tasks()
        ? columns(p.get(MixtureOfExperts.GATE_BIAS), (long) k * conf.gateSize(), conf.gateSize())
        : p.get(MixtureOfExperts.SHARED_GATE_BIAS);
  }

  private void checkInput() {
    LayoutParamInitializer.checkInput(layerConf(), input);
  }

  /** The experts' pre-activations, [batch, experts x width]. */
  private INDArray expertsPre() {
    MixtureOfExperts conf = layerConf();
    long width = conf.width();
    INDArray w = getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray z =
        Nd4j.createUninitialized(input.dataType(), input.size(0), conf.allExperts() * width);
    for (int e = 0; e < conf.allExperts(); e++) {
      columns(z, e * width, width)
          .assign(block(conf, input, conf.expertBlock(e)).mmul(TaskTowersLayer.tower(w, e)));
    }
    return z.addiRowVector(getParam(MixtureOfExperts.EXPERT_BIAS));
  }

  /**
   * The gates of a layer configured as {@code conf} with parameters {@code params} on input {@code
   * x}: one [batch, gate length] array per gate, each row a softmax.
   */
  static INDArray[] gates(MixtureOfExperts conf, Map<String, INDArray> params, INDArray x) {
    INDArray[] g = new INDArray[gateCount(conf)];
    for (int k = 0; k < g.length; k++) {
      INDArray a =
          block(conf, x, k)
              .mmul(gateWeights(conf, params, k))
              .addiRowVector(gateBias(conf, params, k));
      a.subiColumnVector(a.max(1).reshape(a.size(0), 1));
      org.nd4j.linalg.ops.transforms.Transforms.exp(a, false);
      g[k] = a.diviColumnVector(a.sum(1).reshape(a.size(0), 1));
    }
    return g;
  }

  /** The mixtures from the experts' activations h and the gates g. */
  private INDArray mix(INDArray h, INDArray[] g, LayerWorkspaceMgr workspaceMgr) {
    MixtureOfExperts conf = layerConf();
    long width = conf.width();
    INDArray y =
        workspaceMgr.create(
            ArrayType.ACTIVATIONS, input.dataType(), input.size(0), g.length * width);
    for (int k = 0; k < g.length; k++) {
      INDArray yk = columns(y, k * width, width);
      for (int j = 0; j < g[k].columns(); j++) {
        yk.addi(
            columns(h, gateExpert(conf, k, j) * width, width).mulColumnVector(columns(g[k], j, 1)));
      }
    }
    return y;
  }

  @Override
  public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    applyDropOutIfNecessary(training, workspaceMgr);
    checkInput();
    INDArray h = layerConf().getActivationFn().getActivation(expertsPre(), training);
    return mix(h, gates(layerConf(), paramTable(), input), workspaceMgr);
  }

  @Override
  protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
    return activate(training, workspaceMgr);
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    checkInput();
    MixtureOfExperts conf = layerConf();
    long width = conf.width();
    long batch = input.size(0);
    INDArray z = expertsPre();
    INDArray h = conf.getActivationFn().getActivation(z.dup(), true);
    INDArray[] g = gates(conf, paramTable(), input);
    INDArray dh = Nd4j.zeros(input.dataType(), batch, conf.allExperts() * width);
    INDArray next = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    for (int k = 0; k < g.length; k++) {
      INDArray dy = columns(epsilon, k * width, width);
      int length = g[k].columns();
      INDArray dg = Nd4j.createUninitialized(input.dataType(), batch, length);
      for (int j = 0; j < length; j++) {
        long e = gateExpert(conf, k, j);
        INDArray gj = columns(g[k], j, 1);
        columns(dh, e * width, width).addi(dy.mulColumnVector(gj));
        columns(dg, j, 1).assign(dy.mul(columns(h, e * width, width)).sum(1).reshape(batch, 1));
      }
      INDArray inner = dg.mul(g[k]).sum(1).reshape(batch, 1);
      INDArray da = dg.subColumnVector(inner).muli(g[k]);
      INDArray xk = block(conf, input, k);
      gateWeights(conf, gradientViews, k).assign(xk.transpose().mmul(da));
      gateBias(conf, gradientViews, k).assign(da.sum(0).reshape(1, length));
      block(conf, next, k).addi(da.mmul(gateWeights(conf, paramTable(), k).transpose()));
    }
    INDArray dz = conf.getActivationFn().backprop(z, dh).getFirst();
    INDArray gradEW = gradientViews.get(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray ew = getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    for (int e = 0; e < conf.allExperts(); e++) {
      INDArray d = columns(dz, e * width, width);
      int b = conf.expertBlock(e);
      TaskTowersLayer.tower(gradEW, e).assign(block(conf, input, b).transpose().mmul(d));
      block(conf, next, b).addi(d.mmul(TaskTowersLayer.tower(ew, e).transpose()));
    }
    INDArray gradEb = gradientViews.get(MixtureOfExperts.EXPERT_BIAS);
    gradEb.assign(dz.sum(0).reshape(gradEb.shape()));
    return new Pair<>(
        LayoutParamInitializer.gradient(conf, gradientViews), backpropDropOutIfPresent(next));
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }
}
