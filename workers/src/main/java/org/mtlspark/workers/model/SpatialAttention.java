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
 * A query vector attending over the cells of an image's feature map. The input row holds the query
 * (the pooled text: a question) of {@code queryWidth} values, then the feature map of {@code
 * channels} x {@code cells} values, channel by channel (a convolution's output flattened in c
 * order). Each cell is a token: its channels plus a learned position vector of its own ({@code P},
 * one row per cell). Multi-head scaled dot-product attention with one query per head: {@code q =
 * question Wq}, {@code K = (cells + P) Wk}, {@code V = (cells + P) Wv}, per head {@code
 * softmax(q K^T / sqrt(d_k)) V} with {@code d_k = nOut / heads}; the output is the heads side by
 * side ({@code nOut} values). The backward pass is written out by hand (see {@link
 * SpatialAttentionLayer}); {@link #weights} gives the attention over the cells for drawing.
 */
public final class SpatialAttention extends FeedForwardLayer implements ParamLayout {
  private static final long serialVersionUID = 1L;
  public static final String POSITION = "P";
  public static final String QUERY = "Wq";
  public static final String KEY = "Wk";
  public static final String VALUE = "Wv";

  @JsonProperty("queryWidth")
  private int queryWidth;

  @JsonProperty("channels")
  private int channels;

  @JsonProperty("rows")
  private int rows;

  @JsonProperty("columns")
  private int columns;

  @JsonProperty("heads")
  private int heads;

  /** For JSON. */
  public SpatialAttention() {}

  private SpatialAttention(Builder b) {
    super(b);
    this.queryWidth = b.queryWidth;
    this.channels = b.channels;
    this.rows = b.rows;
    this.columns = b.columns;
    this.heads = b.heads;
  }

  public int queryWidth() {
    return queryWidth;
  }

  public int channels() {
    return channels;
  }

  /** The cells: rows x columns of the feature map, row by row. */
  public int cells() {
    return rows * columns;
  }

  public int rows() {
    return rows;
  }

  public int columns() {
    return columns;
  }

  public int heads() {
    return heads;
  }

  @Override
  public List<Param> params() {
    long d = nOut;
    return List.of(
        new Param(POSITION, new long[] {cells(), channels}, false, cells(), channels),
        new Param(QUERY, new long[] {queryWidth, d}, false, queryWidth, d),
        new Param(KEY, new long[] {channels, d}, false, channels, d),
        new Param(VALUE, new long[] {channels, d}, false, channels, d));
  }

  /**
   * The attention weights of {@code layer} (a running spatial attention layer) for the rows of
   * {@code input} (the layer's input): [rows, heads, cells], each head's weights summing to 1.
   */
  public static INDArray weights(org.deeplearning4j.nn.api.Layer layer, INDArray input) {
    if (!(layer instanceof SpatialAttentionLayer spatial)) {
      throw new IllegalArgumentException(
          "not a spatial attention layer: " + layer.conf().getLayer().getLayerName());
    }
    return spatial.weights(input);
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int index,
      INDArray paramsView,
      boolean initialize,
      DataType dataType) {
    long expected = queryWidth + (long) channels * cells();
    if (nIn != expected) {
      throw new IllegalStateException(
          "layer "
              + layerName
              + ": a query of "
              + queryWidth
              + " and "
              + cells()
              + " cells of "
              + channels
              + " channels make "
              + expected
              + " inputs, was given "
              + nIn);
    }
    return LayoutParamInitializer.wire(
        new SpatialAttentionLayer(conf, dataType), conf, listeners, index, paramsView, initialize);
  }

  @Override
  public ParamInitializer initializer() {
    return LayoutParamInitializer.INSTANCE;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    // Tokens, keys and values and their gradients; weights per head and cell.
    return LayoutParamInitializer.memoryReport(
        this, inputType, (long) cells() * (channels + nOut) * 6 + (long) heads * cells() * 2);
  }

  /**
   * Builds the layer: the query's width, the feature map's channels, rows and columns, the heads
   * and the output width ({@code nOut}).
   */
  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private int queryWidth;
    private int channels;
    private int rows;
    private int columns;
    private int heads = 1;

    public Builder queryWidth(int queryWidth) {
      this.queryWidth = queryWidth;
      return this;
    }

    public Builder channels(int channels) {
      this.channels = channels;
      return this;
    }

    public Builder map(int rows, int columns) {
      this.rows = rows;
      this.columns = columns;
      return this;
    }

    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public SpatialAttention build() {
      if (queryWidth < 1
          || channels < 1
          || rows < 1
          || columns < 1
          || heads < 1
          || nOut < 1
          || nOut % heads != 0) {
        throw new IllegalArgumentException(
            "spatial attention needs a query, channels, rows and columns (were "
                + queryWidth
                + ", "
                + channels
                + ", "
                + rows
                + ", "
                + columns
                + ") and an output width ("
                + nOut
                + ") that its heads ("
                + heads
                + ") divide");
      }
      nIn(queryWidth + (long) channels * rows * columns);
      return new SpatialAttention(this);
    }
  }
}
