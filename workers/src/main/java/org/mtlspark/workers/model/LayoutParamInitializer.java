package org.mtlspark.workers.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Cuts a {@link ParamLayout} layer's flat parameter (or gradient) slice into its named
 * parameters, and initializes weights with the layer's weight initialization and biases with its
 * bias value.
 */
final class LayoutParamInitializer implements ParamInitializer {
  static final LayoutParamInitializer INSTANCE = new LayoutParamInitializer();

  private LayoutParamInitializer() {}

  /** Gives a new running layer its listeners, index, configuration and parameter views (initialized if asked). */
  static org.deeplearning4j.nn.api.Layer wire(
      org.deeplearning4j.nn.layers.BaseLayer<?> layer,
      NeuralNetConfiguration conf,
      java.util.Collection<org.deeplearning4j.optimize.api.TrainingListener> listeners,
      int index,
      INDArray paramsView,
      boolean initialize) {
    layer.setListeners(listeners);
    layer.setIndex(index);
    layer.setParamsViewArray(paramsView);
    layer.setParamTable(INSTANCE.init(conf, paramsView, initialize));
    layer.setConf(conf);
    return layer;
  }

  /**
   * A backward pass's gradient: every parameter of {@code layer}'s layout, in layout order, as its
   * gradient view (which the pass has filled).
   */
  static org.deeplearning4j.nn.gradient.Gradient gradient(
      ParamLayout layer, Map<String, INDArray> gradientViews) {
    org.deeplearning4j.nn.gradient.Gradient gradient =
        new org.deeplearning4j.nn.gradient.DefaultGradient();
    for (ParamLayout.Param p : layer.params()) {
      gradient.gradientForVariable().put(p.name(), gradientViews.get(p.name()));
    }
    return gradient;
  }

  /** {@code out} copied into the workspace's activations, as a layer's {@code activate} returns it. */
  static INDArray activations(
      org.deeplearning4j.nn.workspace.LayerWorkspaceMgr workspaceMgr, INDArray out) {
    return workspaceMgr
        .createUninitialized(
            org.deeplearning4j.nn.workspace.ArrayType.ACTIVATIONS, out.dataType(), out.shape(), 'c')
        .assign(out);
  }

  /** Refuses an input that is not [batch, nIn] for the feed-forward {@code layer}. */
  static void checkInput(org.deeplearning4j.nn.conf.layers.FeedForwardLayer layer, INDArray input) {
    if (input.rank() != 2 || input.columns() != layer.getNIn()) {
      throw new org.deeplearning4j.exception.DL4JInvalidInputException(
          "layer "
              + layer.getLayerName()
              + " expects [batch, "
              + layer.getNIn()
              + "] input, got "
              + java.util.Arrays.toString(input.shape()));
    }
  }

  /** A memory estimate for a feed-forward layer: parameters, updater state, and working values per example. */
  static org.deeplearning4j.nn.conf.memory.LayerMemoryReport memoryReport(
      org.deeplearning4j.nn.conf.layers.FeedForwardLayer layer,
      org.deeplearning4j.nn.conf.inputs.InputType input,
      long workingPerExample) {
    org.deeplearning4j.nn.conf.inputs.InputType out = layer.getOutputType(-1, input);
    long params = INSTANCE.numParams(layer);
    return new org.deeplearning4j.nn.conf.memory.LayerMemoryReport.Builder(
            layer.getLayerName(), layer.getClass(), input, out)
        .standardMemory(
            params, layer.getIUpdater() == null ? 0 : layer.getIUpdater().stateSize(params))
        .workingMemory(0, workingPerExample, 0, workingPerExample + input.arrayElementsPerExample())
        .cacheMemory(
            org.deeplearning4j.nn.conf.memory.MemoryReport.CACHE_MODE_ALL_ZEROS,
            org.deeplearning4j.nn.conf.memory.MemoryReport.CACHE_MODE_ALL_ZEROS)
        .build();
  }

  private static List<ParamLayout.Param> layout(Layer layer) {
    if (!(layer instanceof ParamLayout p)) {
      throw new IllegalArgumentException(
          "not a layer with a parameter layout: " + layer.getClass().getName());
    }
    return p.params();
  }

  @Override
  public long numParams(NeuralNetConfiguration conf) {
    return numParams(conf.getLayer());
  }

  @Override
  public long numParams(Layer layer) {
    return layout(layer).stream().mapToLong(ParamLayout.Param::length).sum();
  }

  @Override
  public List<String> paramKeys(Layer layer) {
    return layout(layer).stream().map(ParamLayout.Param::name).toList();
  }

  @Override
  public List<String> weightKeys(Layer layer) {
    return layout(layer).stream().filter(p -> !p.bias()).map(ParamLayout.Param::name).toList();
  }

  @Override
  public List<String> biasKeys(Layer layer) {
    return layout(layer).stream()
        .filter(ParamLayout.Param::bias)
        .map(ParamLayout.Param::name)
        .toList();
  }

  @Override
  public boolean isWeightParam(Layer layer, String key) {
    return weightKeys(layer).contains(key);
  }

  @Override
  public boolean isBiasParam(Layer layer, String key) {
    return biasKeys(layer).contains(key);
  }

  @Override
  public Map<String, INDArray> init(
      NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
    Map<String, INDArray> views = slices(conf, paramsView);
    if (initializeParams) {
      BaseLayer layer = (BaseLayer) conf.getLayer();
      for (ParamLayout.Param p : layout(layer)) {
        INDArray view = views.get(p.name());
        if (p.bias()) {
          view.assign(layer.getBiasInit());
        } else {
          layer.getWeightInitFn().init(p.fanIn(), p.fanOut(), p.shape(), 'c', view);
        }
      }
    }
    views.keySet().forEach(conf::addVariable);
    return views;
  }

  @Override
  public Map<String, INDArray> getGradientsFromFlattened(
      NeuralNetConfiguration conf, INDArray gradientView) {
    return slices(conf, gradientView);
  }

  private static Map<String, INDArray> slices(NeuralNetConfiguration conf, INDArray flat) {
    List<ParamLayout.Param> params = layout(conf.getLayer());
    long total = params.stream().mapToLong(ParamLayout.Param::length).sum();
    if (flat.length() != total) {
      throw new IllegalStateException(
          "layer "
              + conf.getLayer().getLayerName()
              + " expects "
              + total
              + " parameters, was given "
              + flat.length());
    }
    INDArray row = flat.reshape(flat.length());
    Map<String, INDArray> out = new LinkedHashMap<>();
    long offset = 0;
    for (ParamLayout.Param p : params) {
      out.put(
          p.name(),
          row.get(NDArrayIndex.interval(offset, offset + p.length())).reshape('c', p.shape()));
      offset += p.length();
    }
    return out;
  }
}
