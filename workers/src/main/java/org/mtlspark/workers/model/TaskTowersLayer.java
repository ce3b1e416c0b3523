package org.mtlspark.workers.model;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** The running {@link TaskTowers}: tower t computes {@code act(x_t W_t + b_t)}. */
final class TaskTowersLayer extends BaseLayer<TaskTowers> {

  TaskTowersLayer(NeuralNetConfiguration conf, DataType dataType) {
    super(conf, dataType);
  }

  private INDArray towerInput(int t, long in) {
    return layerConf().sharedInput()
        ? input
        : input.get(NDArrayIndex.all(), NDArrayIndex.interval(t * in, (t + 1) * in));
  }

  private INDArray weights(int t) {
    return tower(getParam(TaskTowers.WEIGHTS), t);
  }

  /**
   * Tower {@code t}'s [in, width] matrix of a [towers, in, width] array, as a view. Not {@code
   * get(point(t), all(), all())} or {@code slice(t)}: on a parameter view ND4J 1.0.0-M2 can return
   * an empty array for the last tower (seen with 3 towers of 33 x 64 inside the network's
   * parameters), which {@code tensorAlongDimension} does not.
   */
  static INDArray tower(INDArray towers, int t) {
    return towers.tensorAlongDimension(t, 1, 2);
  }

  private static INDArray columns(INDArray a, int t, long width) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(t * width, (t + 1) * width));
  }

  @Override
  protected INDArray preOutput(boolean training, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(false);
    applyDropOutIfNecessary(training, workspaceMgr);
    TaskTowers conf = layerConf();
    LayoutParamInitializer.checkInput(conf, input);
    long in = conf.towerIn();
    long width = conf.width();
    INDArray z =
        workspaceMgr.createUninitialized(
            ArrayType.ACTIVATIONS, input.dataType(), input.size(0), conf.getNOut());
    for (int t = 0; t < conf.towers(); t++) {
      columns(z, t, width).assign(towerInput(t, in).mmul(weights(t)));
    }
    z.addiRowVector(getParam(TaskTowers.BIAS));
    if (maskArray != null) {
      applyMask(z);
    }
    return z;
  }

  @Override
  public Pair<Gradient, INDArray> backpropGradient(
      INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
    assertInputSet(true);
    TaskTowers conf = layerConf();
    INDArray z = preOutput(true, workspaceMgr);
    INDArray delta = conf.getActivationFn().backprop(z, epsilon).getFirst();
    if (maskArray != null) {
      applyMask(delta);
    }
    long in = conf.towerIn();
    long width = conf.width();
    INDArray gradW = gradientViews.get(TaskTowers.WEIGHTS);
    INDArray gradB = gradientViews.get(TaskTowers.BIAS);
    INDArray next = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, input.dataType(), input.shape());
    for (int t = 0; t < conf.towers(); t++) {
      INDArray d = columns(delta, t, width);
      INDArray x = towerInput(t, in);
      tower(gradW, t).assign(x.transpose().mmul(d));
      INDArray back = d.mmul(weights(t).transpose());
      if (conf.sharedInput()) {
        next.addi(back);
      } else {
        columns(next, t, in).assign(back);
      }
    }
    gradB.assign(delta.sum(0).reshape(gradB.shape()));
    return new Pair<>(
        LayoutParamInitializer.gradient(conf, gradientViews), backpropDropOutIfPresent(next));
  }

  @Override
  public boolean isPretrainLayer() {
    return false;
  }
}
