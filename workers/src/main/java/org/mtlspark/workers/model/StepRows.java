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
 * Every position of a sequence as a row of its own, beside the record's other input: inputs a
 * sequence [records, size, positions] and a row per record [records, width] (e.g. an image's
 * feature-map cells), output [records * positions, size + width], row {@code r * positions + t}
 * holding position t of record r and record r's row. A layer of rows then applies to each position
 * (e.g. {@link SpatialAttention}: each decoder state attending over the image's cells); {@link
 * RowSteps} turns its rows back into a sequence. No mask passes through: the rows are all there.
 */
public final class StepRows extends ParameterFreeVertex {
  private static final long serialVersionUID = 1L;

  @Override
  public GraphVertex clone() {
    return new StepRows();
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
        || !(vertexInputs[1] instanceof InputType.InputTypeFeedForward row)) {
      throw new org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException(
          "StepRows reads a sequence and a row, not " + java.util.Arrays.toString(vertexInputs));
    }
    return InputType.feedForward(seq.getSize() + row.getSize());
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
      INDArray row = inputs[1];
      long records = seq.size(0);
      long size = seq.size(1);
      long positions = seq.size(2);
      long width = row.size(1);
      INDArray out =
          workspaceMgr.createUninitialized(
              ArrayType.ACTIVATIONS,
              seq.dataType(),
              new long[] {records * positions, size + width},
              'c');
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(0, size))
          .assign(seq.permute(0, 2, 1).dup('c').reshape('c', records * positions, size));
      out.get(NDArrayIndex.all(), NDArrayIndex.interval(size, size + width))
          .assign(
              row.reshape(records, 1, width)
                  .broadcast(records, positions, width)
                  .dup('c')
                  .reshape('c', records * positions, width));
      return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      long records = inputs[0].size(0);
      long size = inputs[0].size(1);
      long positions = inputs[0].size(2);
      long width = inputs[1].size(1);
      INDArray seqGrad =
          workspaceMgr.create(
              ArrayType.ACTIVATION_GRAD,
              epsilon.dataType(),
              new long[] {records, size, positions},
              'c');
      seqGrad.assign(
          epsilon
              .get(NDArrayIndex.all(), NDArrayIndex.interval(0, size))
              .dup('c')
              .reshape('c', records, positions, size)
              .permute(0, 2, 1));
      INDArray rowGrad =
          workspaceMgr.leverageTo(
              ArrayType.ACTIVATION_GRAD,
              epsilon
                  .get(NDArrayIndex.all(), NDArrayIndex.interval(size, size + width))
                  .dup('c')
                  .reshape('c', records, positions, width)
                  .sum(1));
      return new Pair<>(null, new INDArray[] {seqGrad, rowGrad});
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      return new Pair<>(null, currentMaskState);
    }
  }
}
