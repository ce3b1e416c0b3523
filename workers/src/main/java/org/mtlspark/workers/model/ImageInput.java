package org.mtlspark.workers.model;

import java.util.Arrays;
import java.util.Objects;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
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
 * The prepared images as an imported encoder reads them: rows of {@code channels} planes of {@code
 * height x width} pixels in [0, 1] (channels first, as prep writes them) become [rows, channels,
 * height, width] or, for an encoder whose layers read channels last (Keras's default), [rows,
 * height, width, channels], normalised as the encoder's own images were ({@code normalise}: Keras's
 * {@code preprocess_input} modes). The pixels take no gradient.
 */
public final class ImageInput extends ParameterFreeVertex {
  private static final long serialVersionUID = 1L;

  /** ImageNet's mean and deviation per channel (red, green, blue), pixels in [0, 1]: torch mode. */
  private static final double[] TORCH_MEAN = {0.485, 0.456, 0.406};

  private static final double[] TORCH_STD = {0.229, 0.224, 0.225};

  /** ImageNet's mean per channel (blue, green, red), pixels in [0, 255]: caffe mode. */
  private static final double[] CAFFE_MEAN = {103.939, 116.779, 123.68};

  @JsonProperty("height")
  private int height;

  @JsonProperty("width")
  private int width;

  @JsonProperty("channels")
  private int channels;

  @JsonProperty("channelsLast")
  private boolean channelsLast;

  @JsonProperty("normalise")
  private String normalise;

  /** For JSON. */
  public ImageInput() {}

  public ImageInput(int height, int width, int channels, CNN2DFormat format, String normalise) {
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.channelsLast = format == CNN2DFormat.NHWC;
    this.normalise = Objects.requireNonNull(normalise);
    scale(); // refuses an unknown mode
  }

  public CNN2DFormat format() {
    return channelsLast ? CNN2DFormat.NHWC : CNN2DFormat.NCHW;
  }

  @Override
  public GraphVertex clone() {
    return new ImageInput(height, width, channels, format(), normalise);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageInput other
        && other.height == height
        && other.width == width
        && other.channels == channels
        && other.channelsLast == channelsLast
        && other.normalise.equals(normalise);
  }

  @Override
  public int hashCode() {
    return Objects.hash(height, width, channels, channelsLast, normalise);
  }

  @Override
  int inputs() {
    return 1;
  }

  @Override
  int setting() {
    return hashCode();
  }

  /** What each pixel is multiplied by before the channel's mean is taken off. */
  double scale() {
    return switch (normalise) {
      case "none", "torch" -> 1;
      case "tf" -> 2;
      case "caffe" -> 255;
      default -> throw new IllegalArgumentException("no normalisation " + normalise);
    };
  }

  /** The value taken off channel {@code c} (of the output) after scaling. */
  double mean(int c) {
    return switch (normalise) {
      case "tf" -> 1;
      case "torch" -> channels == 3 ? TORCH_MEAN[c] : Arrays.stream(TORCH_MEAN).average().orElse(0);
      case "caffe" -> channels == 3 ? CAFFE_MEAN[c] : Arrays.stream(CAFFE_MEAN).average().orElse(0);
      default -> 0;
    };
  }

  /** What channel {@code c} (of the output) is divided by last. */
  double deviation(int c) {
    return normalise.equals("torch")
        ? (channels == 3 ? TORCH_STD[c] : Arrays.stream(TORCH_STD).average().orElse(1))
        : 1;
  }

  /** The input channel that output channel {@code c} is made from: caffe reads blue first. */
  int from(int c) {
    return normalise.equals("caffe") ? channels - 1 - c : c;
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType... vertexInputs) {
    return InputType.convolutional(height, width, channels, format());
  }

  @Override
  public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(
      ComputationGraph graph,
      String name,
      int idx,
      INDArray paramsView,
      boolean initializeParams,
      DataType networkDatatype) {
    return new Impl(graph, name, idx, this, networkDatatype);
  }

  /** {@code flat} [rows, channels * height * width], channels first, as the encoder reads it. */
  INDArray apply(INDArray flat) {
    long rows = flat.size(0);
    INDArray planes = flat.reshape('c', rows, channels, height, width);
    INDArray out = planes.ulike();
    for (int c = 0; c < channels; c++) {
      INDArray target = out.get(NDArrayIndex.all(), NDArrayIndex.point(c));
      target.assign(planes.get(NDArrayIndex.all(), NDArrayIndex.point(from(c))));
      target.muli(scale()).subi(mean(c)).divi(deviation(c));
    }
    return channelsLast ? out.permute(0, 2, 3, 1).dup('c') : out;
  }

  /** The vertex in a network. */
  static final class Impl extends ParameterFreeVertex.Impl {
    private static final long serialVersionUID = 1L;
    private final ImageInput conf;

    Impl(ComputationGraph graph, String name, int idx, ImageInput conf, DataType dataType) {
      super(graph, name, idx, dataType);
      this.conf = conf;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
      return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, conf.apply(inputs[0]));
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
      // Pixels take no gradient.
      INDArray none =
          workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[0].dataType(), inputs[0].shape());
      return new Pair<>(null, new INDArray[] {none});
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(
        INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
      return new Pair<>(null, currentMaskState);
    }
  }
}
