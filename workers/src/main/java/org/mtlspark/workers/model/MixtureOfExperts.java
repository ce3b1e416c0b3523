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
 * A layer of experts mixed by gates: multi-gate mixture of experts (Ma et al., KDD 2018) and one
 * level of progressive layered extraction (Tang et al., RecSys 2020). Every expert is a dense layer
 * of {@code width} outputs: {@code taskExperts} of each of the {@code tasks} tasks' own, then
 * {@code experts} shared ones. Task t's gate is a softmax over its own experts and the shared ones,
 * and its output their mixture; with {@code sharedOutput}, a shared gate over every expert gives a
 * further output (the input of the shared experts of the level above). The input is one block that
 * every expert and gate reads, or, with {@code blockedInput}, {@code tasks + 1} equal blocks (the
 * level below's outputs): task t's experts and gate read block t, the shared ones the last. The
 * layer's output is the tasks' mixtures in task order, then the shared one. With no task experts,
 * one input block and no shared output this is MMoE. Parameters: the experts' weights {@code EW}
 * [experts in all, in, width] and biases {@code Eb}, the task gates' weights {@code GW} [tasks, in,
 * gate size] and biases {@code Gb}, and with a shared output the shared gate's {@code SW} [1, in,
 * experts in all] and {@code Sb}.
 */
public final class MixtureOfExperts extends FeedForwardLayer implements ParamLayout {
  private static final long serialVersionUID = 1L;
  public static final String EXPERT_WEIGHTS = "EW";
  public static final String EXPERT_BIAS = "Eb";
  public static final String GATE_WEIGHTS = "GW";
  public static final String GATE_BIAS = "Gb";
  public static final String SHARED_GATE_WEIGHTS = "SW";
  public static final String SHARED_GATE_BIAS = "Sb";

  /** The shared experts. */
  @JsonProperty("experts")
  private int experts;

  @JsonProperty("tasks")
  private int tasks;

  @JsonProperty("taskExperts")
  private int taskExperts;

  @JsonProperty("blockedInput")
  private boolean blockedInput;

  @JsonProperty("sharedOutput")
  private boolean sharedOutput;

  /** For JSON. */
  public MixtureOfExperts() {}

  private MixtureOfExperts(Builder b) {
    super(b);
    this.experts = b.experts;
    this.tasks = b.tasks;
    this.taskExperts = b.taskExperts;
    this.blockedInput = b.blockedInput;
    this.sharedOutput = b.sharedOutput;
  }

  /** The shared experts. */
  public int experts() {
    return experts;
  }

  public int tasks() {
    return tasks;
  }

  /** The experts of each task's own. */
  public int taskExperts() {
    return taskExperts;
  }

  public boolean blockedInput() {
    return blockedInput;
  }

  public boolean sharedOutput() {
    return sharedOutput;
  }

  /** Every expert: each task's own in task order, then the shared ones. */
  public int allExperts() {
    return tasks * taskExperts + experts;
  }

  /** The experts one task's gate mixes: its own, then the shared ones. */
  public int gateSize() {
    return taskExperts + experts;
  }

  /** The expert behind entry {@code j} of task {@code t}'s gate. */
  public int gateExpert(int t, int j) {
    return j < taskExperts ? t * taskExperts + j : tasks * taskExperts + (j - taskExperts);
  }

  /** The input block expert {@code e} reads: its task, or {@code tasks} for a shared expert. */
  public int expertBlock(int e) {
    return e < tasks * taskExperts ? e / taskExperts : tasks;
  }

  /** The width of one input block. */
  public long blockIn() {
    if (blockedInput && nIn % (tasks + 1) != 0) {
      throw new IllegalStateException(
          "layer "
              + layerName
              + ": a blocked input of "
              + nIn
              + " does not split into "
              + (tasks + 1)
              + " blocks");
    }
    return blockedInput ? nIn / (tasks + 1) : nIn;
  }

  /** The output width of one expert, and of each mixture. */
  public long width() {
    return nOut / (tasks + (sharedOutput ? 1 : 0));
  }

  @Override
  public List<Param> params() {
    long in = blockIn();
    long w = width();
    List<Param> params = new java.util.ArrayList<>();
    params.add(new Param(EXPERT_WEIGHTS, new long[] {allExperts(), in, w}, false, in, w));
    params.add(new Param(EXPERT_BIAS, new long[] {1, allExperts() * w}, true, in, w));
    params.add(new Param(GATE_WEIGHTS, new long[] {tasks, in, gateSize()}, false, in, gateSize()));
    params.add(
        new Param(GATE_BIAS, new long[] {1, (long) tasks * gateSize()}, true, in, gateSize()));
    if (sharedOutput) {
      params.add(
          new Param(
              SHARED_GATE_WEIGHTS, new long[] {1, in, allExperts()}, false, in, allExperts()));
      params.add(new Param(SHARED_GATE_BIAS, new long[] {1, allExperts()}, true, in, allExperts()));
    }
    return params;
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
        this,
        inputType,
        (long) allExperts() * width()
            + (long) tasks * (gateSize() + width())
            + (sharedOutput ? allExperts() + width() : 0));
  }

  /**
   * Builds the layer: the shared {@code experts}, the {@code tasks}, each task's own {@code
   * taskExperts} (default none), the {@code width}, whether the input is blocked and whether a
   * shared output is added.
   */
  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private int experts = 1;
    private int tasks = 1;
    private int taskExperts;
    private boolean blockedInput;
    private boolean sharedOutput;
    private int width = 1;

    public Builder taskExperts(int taskExperts) {
      this.taskExperts = taskExperts;
      return this;
    }

    public Builder blockedInput(boolean blockedInput) {
      this.blockedInput = blockedInput;
      return this;
    }

    public Builder sharedOutput(boolean sharedOutput) {
      this.sharedOutput = sharedOutput;
      return this;
    }

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
      if (experts < 1 || tasks < 1 || width < 1 || taskExperts < 0) {
        throw new IllegalArgumentException(
            "experts, tasks and width must be >= 1 and taskExperts >= 0, were "
                + experts
                + ", "
                + tasks
                + ", "
                + width
                + ", "
                + taskExperts);
      }
      nOut((long) (tasks + (sharedOutput ? 1 : 0)) * width);
      return new MixtureOfExperts(this);
    }
  }
}
