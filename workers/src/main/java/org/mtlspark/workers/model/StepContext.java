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

/**
 * A sequence with one record-level vector beside every step: inputs a sequence [rows, size,
 * positions] and a context [rows, width] (e.g. the image's encoding), output [rows, size + width,
 * positions], the context repeated at each position. The context's gradient is the sum of its
 * gradients over the positions; the sequence's mask passes through.
 */
public final class StepContext extends ParameterFreeVertex {
  private static final long serialVersionUID = 1L;

  @Override
  public GraphVertex clone() {
    return new StepContext();
  }

  @Override
  int inputs() {
    return 2;
  }

  @Override
  int setting() {
    return 0;
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph,
      String name,
      int idx,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDatatype) {
    return new Impl(graph, name, idx, networkDatatype);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    if (!(vertexInputs[0] instanceof InputType.InputTypeRecurrent seq)
        || vertexInputs[1].getType() != InputType.Type.FF) {
      throw new org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException(
          "StepContext reads a sequence and a row, not " + java.util.Arrays.toString(vertexInputs));
    }
    long width = ((InputType.InputTypeFeedForward) vertexInputs[1]).getSize();
    return InputType.recurrent(seq.getSize() + width, seq.getTimeSeriesLength());
  }

  /** The vertex in a network. */
  static final class Impl extends ParameterFreeVertex.Impl {
    private static final long serialVersionUID = 1L;

    Impl(ComputationGraph graph, String name, int idx, DataType dataType) {
      super(graph, name, idx, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray seq = inputs[0];
      INDArray context = inputs[1];
      long rows = seq.size(0);
      long size = seq.size(1);
      long width = context.size(1);
      long positions = seq.size(2);
      INDArray out =
          workspaceMgr.createUninitialized(
              ArrayType.ACTIVATIONS,
              seq.dataType(),
              new long[] {rows, size + width, positions},
              'c');
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, size), NDArrayIndex.all()).assign(seq);
      INDArray repeated = context.reshape(rows, width, 1).broadcast(rows, width, positions);
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(size, size + width), NDArrayIndex.all())
          .assign(repeated);
      return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      long size = inputs[0].size(1);
      long width = inputs[1].size(1);
      INDArray seqGrad =
          workspaceMgr.dup(
              ArrayType.ACTIVATION_GRAD,
              epsilon.get(NDArrayIndex.all(), NDArrayIndex.interval(0, size), NDArrayIndex.all()));
      INDArray contextGrad =
          workspaceMgr.leverageTo(
              ArrayType.ACTIVATION_GRAD,
              epsilon
                  .get(
                      NDArrayIndex.all(),
                      NDArrayIndex.interval(size, size + width),
                      NDArrayIndex.all())
                  .sum(2));
      return new Pair<>(null, new INDArray[] {seqGrad, contextGrad});
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      return new Pair<>(
          maskArrays == null ? null : maskArrays[0],
          maskArrays == null || maskArrays[0] == null ? currentMaskState : MaskState.Active);
    }
  }
}
