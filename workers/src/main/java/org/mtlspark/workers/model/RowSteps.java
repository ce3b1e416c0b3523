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
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The rows of {@link StepRows} back as sequences: input [records * positions, size], row {@code r *
 * positions + t} being position t of record r; output [records, size, positions].
 */
public final class RowSteps extends ParameterFreeVertex {
  private static final long serialVersionUID = 1L;

  @JsonProperty("positions")
  private int positions;

  /** For JSON. */
  public RowSteps() {}

  public RowSteps(int positions) {
    this.positions = positions;
  }

  @Override
  public GraphVertex clone() {
    return new RowSteps(positions);
  }

  @Override
  int inputs() {
    return 1;
  }

  @Override
  int setting() {
    return positions;
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph,
      String name,
      int idx,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDatatype) {
    return new Impl(graph, name, idx, positions, networkDatatype);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    if (!(vertexInputs[0] instanceof InputType.InputTypeFeedForward rows)) {
      throw new org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException(
          "RowSteps reads rows, not " + vertexInputs[0]);
    }
    return InputType.recurrent(rows.getSize(), positions);
  }

  /** The vertex in a network. */
  static final class Impl extends ParameterFreeVertex.Impl {
    private static final long serialVersionUID = 1L;
    private final int positions;

    Impl(ComputationGraph graph, String name, int idx, int positions, DataType dataType) {
      super(graph, name, idx, dataType);
      this.positions = positions;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      INDArray rows = inputs[0];
      long records = rows.size(0) / positions;
      long size = rows.size(1);
      INDArray out =
          workspaceMgr.createUninitialized(
              ArrayType.ACTIVATIONS, rows.dataType(), new long[] {records, size, positions}, 'c');
      out.assign(rows.dup('c').reshape('c', records, positions, size).permute(0, 2, 1));
      return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      long records = epsilon.size(0);
      long size = epsilon.size(1);
      INDArray grad =
          workspaceMgr.create(
              ArrayType.ACTIVATION_GRAD,
              epsilon.dataType(),
              new long[] {records * positions, size},
              'c');
      grad.assign(epsilon.permute(0, 2, 1).dup('c').reshape('c', records * positions, size));
      return new Pair<>(null, new INDArray[] {grad});
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      return new Pair<>(null, currentMaskState);
    }
  }
}
