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
 * Attention fusion of modality tokens. The input row holds {@code tokens} tokens of {@code d}
 * values each (one per modality, d = nOut) followed by the tokens' presence flags (1 present,
 * 0 absent). Multi-head scaled dot-product self-attention mixes the tokens:
 * {@code softmax(Q K^T / sqrt(d_k)) V} per head with {@code Q = X Wq}, {@code K = X Wk},
 * {@code V = X Wv} and {@code d_k = d / heads}; the heads are concatenated and projected by
 * {@code Wo} (plus a bias). An absent token is masked out as a key, so nothing attends to it, and
 * the output is the mean of the present tokens' results. A row with no token present gives zeros.
 * The backward pass is written out by hand (see {@link AttentionFusionLayer}).
 */
public final class AttentionFusion extends FeedForwardLayer implements ParamLayout {
  private static final long serialVersionUID = 1L;
  public static final String QUERY = "Wq";
  public static final String KEY = "Wk";
  public static final String VALUE = "Wv";
  public static final String OUT = "Wo";
  public static final String OUT_BIAS = "bo";

  @JsonProperty("tokens")
  private int tokens;

  @JsonProperty("heads")
  private int heads;

  /** For JSON. */
  public AttentionFusion() {}

  private AttentionFusion(Builder b) {
    super(b);
    this.tokens = b.tokens;
    this.heads = b.heads;
  }

  public int tokens() {
    return tokens;
  }

  public int heads() {
    return heads;
  }

  /** The token width d. */
  public long dim() {
    return nOut;
  }

  @Override
  public List<Param> params() {
    long d = nOut;
    return List.of(
        new Param(QUERY, new long[] {d, d}, false, d, d),
        new Param(KEY, new long[] {d, d}, false, d, d),
        new Param(VALUE, new long[] {d, d}, false, d, d),
        new Param(OUT, new long[] {d, d}, false, d, d),
        new Param(OUT_BIAS, new long[] {1, d}, true, d, d));
  }

  @Override
  public org.deeplearning4j.nn.api.Layer instantiate(
      NeuralNetConfiguration conf,
      Collection<TrainingListener> listeners,
      int index,
      INDArray paramsView,
      boolean initialize,
      DataType dataType) {
    if (nIn != (long) tokens * (nOut + 1)) {
      throw new IllegalStateException(
          "layer "
              + layerName
              + ": "
              + tokens
              + " tokens of "
              + nOut
              + " values and their flags make "
              + tokens * (nOut + 1)
              + " inputs, was given "
              + nIn);
    }
    return LayoutParamInitializer.wire(
        new AttentionFusionLayer(conf, dataType), conf, listeners, index, paramsView, initialize);
  }

  @Override
  public ParamInitializer initializer() {
    return LayoutParamInitializer.INSTANCE;
  }

  @Override
  public LayerMemoryReport getMemoryReport(InputType inputType) {
    // Queries, keys, values, mixed and projected tokens, and their gradients; scores and weights
    // per head.
    return LayoutParamInitializer.memoryReport(
        this, inputType, (long) tokens * nOut * 8 + (long) heads * tokens * tokens * 2);
  }

  /** Builds the layer: the token count, the token width ({@code nOut}) and the heads. */
  public static final class Builder extends FeedForwardLayer.Builder<Builder> {
    private int tokens = 1;
    private int heads = 1;

    public Builder tokens(int tokens) {
      this.tokens = tokens;
      return this;
    }

    public Builder heads(int heads) {
      this.heads = heads;
      return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public AttentionFusion build() {
      if (tokens < 1 || heads < 1 || nOut < 1 || nOut % heads != 0) {
        throw new IllegalArgumentException(
            "attention fusion needs tokens >= 1 and a token width ("
                + nOut
                + ") that its heads ("
                + heads
                + ") divide; tokens were "
                + tokens);
      }
      nIn((long) tokens * (nOut + 1));
      return new AttentionFusion(this);
    }
  }
}
