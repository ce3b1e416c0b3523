package org.mtlspark.workers.model;

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
 * The running {@link MixtureOfExperts}: expert e computes {@code h_e = act(x EW_e + Eb_e)}, gate t
 * {@code g_t = softmax(x GW_t + Gb_t)}, and task t's output is {@code sum_e g_t[e] h_e}. The
 * backward pass is written out: {@code dh_e = sum_t g_t[e] dy_t}, {@code dg_t[e] = <dy_t, h_e>},
 * the softmax's {@code da_t = g_t (dg_t - <dg_t, g_t>)}.
 */
final class MixtureOfExpertsLayer extends BaseLayer<MixtureOfExperts> {

  MixtureOfExpertsLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private static INDArray columns(INDArray a, long from, long width) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + width));
  }

  private void checkInput() {
    LayoutParamInitializer.checkInput(layerConf(), input);
  }

  /** The experts' pre-activations, [batch, experts x width]. */
  private INDArray expertsPre() {
    MixtureOfExperts conf = layerConf();
    long width = conf.width();
    INDArray w = getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray z = Nd4j.createUninitialized(input.dataType(), input.size(0), conf.experts() * width);
    for (int e = 0; e < conf.experts(); e++) {
      columns(z, e * width, width).assign(input.mmul(TaskTowersLayer.tower(w, e)));
    }
    return z.addiRowVector(getParam(MixtureOfExperts.EXPERT_BIAS));
  }

  /** Each task's gate, [batch, tasks x experts], softmax within each task's block. */
  INDArray gates() {
    return gates(
        layerConf(),
        getParam(MixtureOfExperts.GATE_WEIGHTS),
        getParam(MixtureOfExperts.GATE_BIAS),
        input);
  }

  /** The gates of a layer configured as {@code conf} with gate parameters {@code w}, {@code b} on input {@code x}. */
  static INDArray gates(MixtureOfExperts conf, INDArray w, INDArray b, INDArray x) {
    int experts = conf.experts();
    INDArray g = Nd4j.createUninitialized(x.dataType(), x.size(0), (long) conf.tasks() * experts);
    for (int t = 0; t < conf.tasks(); t++) {
      columns(g, (long) t * experts, experts).assign(x.mmul(TaskTowersLayer.tower(w, t)));
    }
    g.addiRowVector(b);
    for (int t = 0; t < conf.tasks(); t++) {
      INDArray block = columns(g, (long) t * experts, experts);
      block.subiColumnVector(block.max(1).reshape(block.size(0), 1));
      org.nd4j.linalg.ops.transforms.Transforms.exp(block, false);
      block.diviColumnVector(block.sum(1).reshape(block.size(0), 1));
    }
    return g;
  }

  /** The mixtures from the experts' activations h and the gates g. */
  private INDArray mix(INDArray h, INDArray g, LayerWorkspaceMgr workspaceMgr) {
    MixtureOfExperts conf = layerConf();
    long width = conf.width();
    int experts = conf.experts();
    INDArray y =
        workspaceMgr.create(
            ArrayType.ACTIVATIONS, input.dataType(), input.size(0), conf.tasks() * width);
    for (int t = 0; t < conf.tasks(); t++) {
      INDArray yt = columns(y, t * width, width);
      for (int e = 0; e < experts; e++) {
        INDArray ge =
            g.get(
                NDArrayIndex.all(),
                NDArrayIndex.interval((long) t * experts + e, (long) t * experts + e + 1));
        yt.addi(columns(h, e * width, width).mulColumnVector(ge));
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
    return mix(h, gates(), workspaceMgr);
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
    int experts = conf.experts();
    int tasks = conf.tasks();
    INDArray z = expertsPre();
    INDArray h = conf.getActivationFn().getActivation(z.dup(), true);
    INDArray g = gates();
    INDArray dh = Nd4j.zeros(input.dataType(), input.size(0), experts * width);
    INDArray da = Nd4j.createUninitialized(input.dataType(), input.size(0), (long) tasks * experts);
    for (int t = 0; t < tasks; t++) {
      INDArray dy = columns(epsilon, t * width, width);
      INDArray gt = columns(g, (long) t * experts, experts);
      INDArray dg = Nd4j.createUninitialized(input.dataType(), input.size(0), experts);
      for (int e = 0; e < experts; e++) {
        INDArray he = columns(h, e * width, width);
        INDArray ge = gt.get(NDArrayIndex.all(), NDArrayIndex.interval(e, e + 1));
        columns(dh, e * width, width).addi(dy.mulColumnVector(ge));
        columns(dg, e, 1).assign(dy.mul(he).sum(1).reshape(input.size(0), 1));
      }
      INDArray inner = dg.mul(gt).sum(1).reshape(input.size(0), 1);
      columns(da, (long) t * experts, experts).assign(dg.subColumnVector(inner).muli(gt));
    }
    INDArray dz = conf.getActivationFn().backprop(z, dh).getFirst();
    INDArray gradEW = gradientViews.get(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray gradEb = gradientViews.get(MixtureOfExperts.EXPERT_BIAS);
    INDArray gradGW = gradientViews.get(MixtureOfExperts.GATE_WEIGHTS);
    INDArray gradGb = gradientViews.get(MixtureOfExperts.GATE_BIAS);
    INDArray next = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    INDArray xt = input.transpose();
    INDArray ew = getParam(MixtureOfExperts.EXPERT_WEIGHTS);
    INDArray gw = getParam(MixtureOfExperts.GATE_WEIGHTS);
    for (int e = 0; e < experts; e++) {
      INDArray d = columns(dz, e * width, width);
      TaskTowersLayer.tower(gradEW, e).assign(xt.mmul(d));
      next.addi(d.mmul(TaskTowersLayer.tower(ew, e).transpose()));
    }
    for (int t = 0; t < tasks; t++) {
      INDArray d = columns(da, (long) t * experts, experts);
      TaskTowersLayer.tower(gradGW, t).assign(xt.mmul(d));
      next.addi(d.mmul(TaskTowersLayer.tower(gw, t).transpose()));
    }
    gradEb.assign(dz.sum(0).reshape(gradEb.shape()));
    gradGb.assign(da.sum(0).reshape(gradGb.shape()));
    return new Pair<>(
        LayoutParamInitializer.gradient(conf, gradientViews), backpropDropOutIfPresent(next));
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }
}
