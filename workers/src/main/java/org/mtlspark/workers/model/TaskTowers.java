package org.mtlspark.workers.model;

import java.util.ArrayList;
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
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * One dense layer per task tower, side by side: tower {@code t} maps its input to
 * {@code width} outputs, and the layer's output is the towers' outputs in tower order. The input
 * is either shared (every tower reads all of it: the first layer of the towers) or blocked (tower
 * {@code t} reads the t-th equal block: the layers above). The weights of all towers form one
 * parameter {@code W} of shape {@code [towers, towerIn, width]}, so the soft-sharing penalty
 * ({@link TowerPull}, strength {@code mu}) sees corresponding weights together.
 */
public final class TaskTowers extends FeedForwardLayer implements ParamLayout {
  private static final long serialVersionUID = 1L;
  public static final String WEIGHTS = "W";
  public static final String BIAS = "b";

  @JsonProperty("towers")
  private int towers;

  @JsonProperty("sharedInput")
  private boolean sharedInput;

  @JsonProperty("mu")
  private double mu;

  /** For JSON. */
  public TaskTowers() {}

  private TaskTowers(Builder b) {
    super(b);
    this.towers = b.towers;
    this.sharedInput = b.sharedInput;
    this.mu = b.mu;
  }

  public int towers() {
    return towers;
  }

  public boolean sharedInput() {
    return sharedInput;
  }

  public double mu() {
    return mu;
  }

  /** The input width of one tower. */
  public long towerIn() {
    if (!sharedInput && nIn % towers != 0) {
      throw new IllegalStateException(
          "layer "
              + layerName
              + ": a blocked input of "
              + nIn
              + " does not split into "
              + towers
              + " towers");
    }
    return sharedInput ? nIn : nIn / towers;
  }

  /** The output width of one tower. */
  public long width() {
    return nOut / towers;
  }

  @Override
  public List<Param> params() {
    return List.of(
        new Param(WEIGHTS, new long[] {towers, towerIn(), width()}, false, towerIn(), width()),
        new Param(BIAS, new long[] {1, nOut}, true, towerIn(), width()));
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
        new TaskTowersLayer(conf, dataType), conf, listeners, index, paramsView, initialize);
  }

  @Override
  public ParamInitializer initializer() {
    return LayoutParamInitializer.INSTANCE;
  }

  /** The configured regularization, plus the tower pull on the weights. */
  @Override
  public List<Regularization> getRegularizationByParam(String param) {
    List<Regularization> base = super.getRegularizationByParam(param);
    if (!WEIGHTS.equals(param) || mu == 0) {
      return base;
    }
    List<Regularization> out = new ArrayList<>(base == null ? List.of() : base);
    out.add(new TowerPull(mu, towers));
    return out;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    return LayoutParamInitializer.memoryReport(this, inputType, nOut);
  }

  /** Builds the layer: {@code towers}, the {@code width} of each, shared or blocked input, and mu. */
  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private int towers = 1;
    private int width = 1;
    private boolean sharedInput = true;
    private double mu;

    public Builder towers(int towers) {
      this.towers = towers;
      return this;
    }

    public Builder width(int width) {
      this.width = width;
      return this;
    }

    public Builder sharedInput(boolean sharedInput) {
      this.sharedInput = sharedInput;
      return this;
    }

    public Builder mu(double mu) {
      this.mu = mu;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public TaskTowers build() {
      if (towers < 1 || width < 1) {
        throw new IllegalArgumentException(
            "towers and width must be >= 1, were " + towers + " and " + width);
      }
      if (!(mu >= 0) || Double.isInfinite(mu)) {
        throw new IllegalArgumentException("mu must be >= 0, was " + mu);
      }
      nOut((long) towers * width);
      return new TaskTowers(this);
    }
  }
}
