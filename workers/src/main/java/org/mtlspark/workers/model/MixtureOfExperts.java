package org.mtlspark.workers.model;

import java.util.Collection;
import java.util.List;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Multi-gate mixture of experts (Ma et al., KDD 2018): {@code experts} dense layers of {@code
 * width} outputs read the same input; each of {@code tasks} gates is a softmax over the experts
 * computed from the input, and task t's output is its gate's mixture of the experts' outputs. The
 * layer's output is the tasks' mixtures in task order ({@code tasks x width}). Parameters: the
 * experts' weights {@code EW} [experts, in, width] and biases {@code Eb}, the gates' weights
 * {@code GW} [tasks, in, experts] and biases {@code Gb}.
 */
public final class MixtureOfExperts extends FeedForwardLayer implements ParamLayout {
  private static final long serialVersionUID = 1L;
  public static final String EXPERT_WEIGHTS = "EW";
  public static final String EXPERT_BIAS = "Eb";
  public static final String GATE_WEIGHTS = "GW";
  public static final String GATE_BIAS = "Gb";

  @JsonProperty("experts")
  private int experts;

  @JsonProperty("tasks")
  private int tasks;

  /** For JSON. */
  public MixtureOfExperts() {}

  private MixtureOfExperts(Builder b) {
    super(b);
    this.experts = b.experts;
    this.tasks = b.tasks;
  }

  public int experts() {
    return experts;
  }

  public int tasks() {
    return tasks;
  }

  /** The output width of one expert, and of each task's mixture. */
  public long width() {
    return nOut / tasks;
  }

  @Override
  public List<Param> params() {
    return List.of(
        new Param(EXPERT_WEIGHTS, new long[] {experts, nIn, width()}, false, nIn, width()),
        new Param(EXPERT_BIAS, new long[] {1, experts * width()}, true, nIn, width()),
        new Param(GATE_WEIGHTS, new long[] {tasks, nIn, experts}, false, nIn, experts),
        new Param(GATE_BIAS, new long[] {1, (long) tasks * experts}, true, nIn, experts));
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int index,
      INDArray paramsView,
      boolean initialize,
      DataType dataType) {
    return LayoutParamInitializer.wire(
        new MixtureOfExpertsLayer(conf, dataType), conf, listeners, index, paramsView, initialize);
  }

  @Override
  public ParamInitializer initializer() {
    return LayoutParamInitializer.INSTANCE;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return LayoutParamInitializer.memoryReport(
        this, inputType, (long) experts * width() + (long) tasks * (experts + width()));
  }

  /** Builds the layer: the number of {@code experts}, of {@code tasks}, and the {@code width}. */
  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private int experts = 1;
    private int tasks = 1;
    private int width = 1;

    public Builder experts(int experts) {
      this.experts = experts;
      return this;
    }

    public Builder tasks(int tasks) {
      this.tasks = tasks;
      return this;
    }

    public Builder width(int width) {
      this.width = width;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public MixtureOfExperts build() {
      if (experts < 1 || tasks < 1 || width < 1) {
        throw new IllegalArgumentException(
            "experts, tasks and width must be >= 1, were " + experts + ", " + tasks + ", " + width);
      }
      nOut((long) tasks * width);
      return new MixtureOfExperts(this);
    }
  }
}
