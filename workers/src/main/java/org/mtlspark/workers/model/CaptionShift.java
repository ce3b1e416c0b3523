package org.mtlspark.workers.model;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * A caption's words moved one position on: token ids [rows, positions] become {@code start}, then
 * the ids but the last, and the mask one position longer (the start is always there). A decoder
 * that reads the result predicts, at each position, the word there from the words before it, and
 * on the position after the last word the end mark. Its input is the network's text input (ids, no
 * gradient).
 */
public final class CaptionShift extends ParameterFreeVertex {
  private static final long serialVersionUID = 1L;

  @JsonProperty("start")
  private int start;

  /** For JSON. */
  public CaptionShift() {}

  public CaptionShift(int start) {
    this.start = start;
  }

  public int start() {
    return start;
  }

  @Override
  public GraphVertex clone() {
    return new CaptionShift(start);
  }

  @Override
  int inputs() {
    return 1;
  }

  @Override
  int setting() {
    return start;
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph,
      String name,
      int idx,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDatatype) {
    return new Impl(graph, name, idx, start, networkDatatype);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    return vertexInputs[0];
  }

  /** Ids [rows, positions] (or [rows, 1, positions]) shifted on by one, {@code start} first. */
  static INDArray shift(INDArray ids, double start, INDArray out) {
    INDArray in = ids.rank() == 3 ? ids.reshape(ids.size(0), ids.size(2)) : ids;
    long positions = in.size(1);
    INDArray o = out.reshape(in.size(0), positions);
    o.get(NDArrayIndex.all(), NDArrayIndex.point(0)).assign(start);
    if (positions > 1) {
      o.get(NDArrayIndex.all(), NDArrayIndex.interval(1, positions))
          .assign(in.get(NDArrayIndex.all(), NDArrayIndex.interval(0, positions - 1)));
    }
    return out;
  }

  /** The vertex in a network. */
  static final class Impl extends ParameterFreeVertex.Impl {
    private static final long serialVersionUID = 1L;
    private final int start;

    Impl(ComputationGraph graph, String name, int idx, int start, DataType dataType) {
      super(graph, name, idx, dataType);
      this.start = start;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray ids = inputs[0];
      INDArray out =
          workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, ids.dataType(), ids.shape());
      return shift(ids, start, out);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      // Token ids take no gradient.
      INDArray none =
          workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[0].dataType(), inputs[0].shape());
      return new Pair<>(null, new INDArray[] {none});
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      if (maskArrays == null || maskArrays[0] == null) {
        return new Pair<>(null, currentMaskState);
      }
      INDArray mask = maskArrays[0];
      return new Pair<>(shift(mask, 1, mask.ulike().reshape(mask.shape())), MaskState.Active);
    }
  }
}
