package org.mtlspark.workers.model;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
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
public final class RowSteps extends GraphVertex {
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
  public boolean equals(Object o) {
    return o instanceof RowSteps r && r.positions == positions;
  }

  @Override
  public int hashCode() {
    return 31 * RowSteps.class.hashCode() + positions;
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return 1;
  }

  @Override
  public int maxVertexInputs() {
    return 1;
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

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(
            null, RowSteps.class, inputTypes[0], getOutputType(-1, inputTypes))
        .standardMemory(0, 0)
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0)
        .build();
  }

  /** The vertex in a network. */
  static final class Impl extends BaseGraphVertex {
    private static final long serialVersionUID = 1L;
    private final int positions;

    Impl(ComputationGraph graph, String name, int idx, int positions, DataType dataType) {
      super(graph, name, idx, null, null, dataType);
      this.positions = positions;
    }

    @Override
    public boolean hasLayer() {
      return false;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer getLayer() {
      return null;
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
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalStateException("RowSteps has no parameters");
      }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      return new Pair<>(null, currentMaskState);
    }

    @Override
    public String toString() {
      return "RowSteps(" + vertexName + ", " + positions + " positions)";
    }
  }
}
