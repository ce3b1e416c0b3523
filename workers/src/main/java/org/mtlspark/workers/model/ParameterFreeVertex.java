package org.mtlspark.workers.model;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A graph vertex that only moves values about (no parameters, no working memory worth reporting):
 * what the caption decoder's vertices share. A subclass names its input count and the setting that
 * tells two of its kind apart ({@link #setting}); its network side extends {@link Impl}.
 */
abstract class ParameterFreeVertex extends GraphVertex {
  private static final long serialVersionUID = 1L;

  /** How many inputs the vertex takes. */
  abstract int inputs();

  /** The configuration value that tells two vertices of this class apart (0 when there is none). */
  abstract int setting();

  @Override
  public boolean equals(Object o) {
    return o != null
        && o.getClass() == getClass()
        && ((ParameterFreeVertex) o).setting() == setting();
  }

  @Override
  public int hashCode() {
    return 31 * getClass().getName().hashCode() + setting();
  }

  @Override
  public long numParams(boolean backprop) {
    return 0;
  }

  @Override
  public int minVertexInputs() {
    return inputs();
  }

  @Override
  public int maxVertexInputs() {
    return inputs();
  }

  @Override
  public MemoryReport getMemoryReport(InputType... inputTypes) {
    return new LayerMemoryReport.Builder(
            null, getClass(), inputTypes[0], getOutputType(-1, inputTypes))
        .standardMemory(0, 0)
        .workingMemory(0, 0, 0, 0)
        .cacheMemory(0, 0)
        .build();
  }

  @Override
  public abstract org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph,
      String name,
      int idx,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDatatype);

  /** The vertex in a network: no layer, no parameters. */
  abstract static class Impl extends BaseGraphVertex {
    private static final long serialVersionUID = 1L;

    Impl(ComputationGraph graph, String name, int idx, DataType dataType) {
      super(graph, name, idx, null, null, dataType);
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
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
      if (backpropGradientsViewArray != null) {
        throw new IllegalStateException(getClass().getName() + " has no parameters");
      }
    }

    @Override
    public String toString() {
      return getClass().getEnclosingClass().getSimpleName() + "(" + vertexName + ")";
    }
  }
}
