package org.mtlspark.workers.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * An image encoder from elsewhere ({@code train.pretrained.image}): the layers of a Keras model or
 * a deeplearning4j-zoo architecture from its input up to a named layer, with their trained
 * parameters, put into this project's network in place of the configured convolutions. The
 * prepared images reach them through {@link ImageInput} (channels first or last, as the encoder's
 * layers read them, and the encoder's normalisation); the cut layer's output feeds {@code
 * image_dense}. The layers keep their settings; their updater is this network's, by {@code
 * train.pretrained} (frozen for {@code frozenEpochs} up to {@code frozenUpTo}, then at {@code
 * rateFactor}). The parts of the other model after the cut are not taken.
 */
public final class ImportedEncoder {
  /** The prefix of the encoder's vertices in this project's network. */
  public static final String PREFIX = "image_import_";

  /** The vertex that hands the prepared images to the encoder. */
  public static final String INPUT = PREFIX + "input";

  /** One vertex of the encoder: a layer (with the preprocessor before it) or another vertex. */
  record Node(
      String name, Layer layer, InputPreProcessor pre, GraphVertex vertex, List<String> inputs) {}

  private final String source;
  private final TrainConfig.ImageEncoder config;
  private final List<Node> nodes;
  private final Set<String> frozen;
  private final CNN2DFormat format;
  private final Map<String, Map<String, INDArray>> params;

  private ImportedEncoder(
      String source,
      TrainConfig.ImageEncoder config,
      List<Node> nodes,
      Set<String> frozen,
      CNN2DFormat format,
      Map<String, Map<String, INDArray>> params) {
    this.source = source;
    this.config = config;
    this.nodes = nodes;
    this.frozen = frozen;
    this.format = format;
    this.params = params;
  }

  /**
   * The encoder of {@code model} (a ComputationGraph or a MultiLayerNetwork, named {@code source}
   * in errors) up to {@code config.layer()}; refuses a layer it does not have, naming those it has,
   * and a cut that does not lead back to exactly one input.
   */
  public static ImportedEncoder of(Model model, String source, TrainConfig.ImageEncoder config) {
    return of(model, source, config, null);
  }

  /**
   * As {@link #of(Model, String, TrainConfig.ImageEncoder)}, the images given channels first or
   * last as {@code format} says (a Keras model's {@code data_format}); null: as the first layer
   * that has a data format reads them.
   */
  public static ImportedEncoder of(
      Model model, String source, TrainConfig.ImageEncoder config, CNN2DFormat format) {
    List<Node> all = new ArrayList<>();
    Map<String, Map<String, INDArray>> params = new LinkedHashMap<>();
    List<String> inputs;
    if (model instanceof ComputationGraph graph) {
      ComputationGraphConfiguration conf = graph.getConfiguration();
      inputs = conf.getNetworkInputs();
      for (String name : conf.getTopologicalOrderStr()) {
        if (inputs.contains(name)) {
          continue;
        }
        GraphVertex v = conf.getVertices().get(name);
        List<String> in = conf.getVertexInputs().get(name);
        if (v instanceof LayerVertex lv) {
          all.add(
              new Node(
                  name,
                  lv.getLayerConf().getLayer().clone(),
                  lv.getPreProcessor() == null ? null : lv.getPreProcessor().clone(),
                  null,
                  in));
          params.put(name, copies(graph.getLayer(name).paramTable()));
        } else {
          all.add(new Node(name, null, null, v.clone(), in));
        }
      }
    } else if (model instanceof MultiLayerNetwork net) {
      MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
      inputs = List.of("input");
      String below = "input";
      for (int i = 0; i < conf.getConfs().size(); i++) {
        Layer layer = conf.getConf(i).getLayer();
        String name = layer.getLayerName() == null ? "layer" + i : layer.getLayerName();
        InputPreProcessor pre = conf.getInputPreProcess(i);
        all.add(
            new Node(name, layer.clone(), pre == null ? null : pre.clone(), null, List.of(below)));
        params.put(name, copies(net.getLayer(i).paramTable()));
        below = name;
      }
    } else {
      throw new IllegalArgumentException(source + ": not a network DL4J can cut (" + model + ")");
    }
    List<Node> kept = upTo(all, inputs, config.layer(), source, "train.pretrained.image.layer");
    Set<String> keptNames = new HashSet<>();
    kept.forEach(n -> keptNames.add(n.name()));
    Set<String> frozen = new LinkedHashSet<>();
    if (!config.frozenUpTo().isEmpty() && !keptNames.contains(config.frozenUpTo())) {
      throw new ConfigException(
          "train.pretrained.image.frozenUpTo",
          List.of(
              source
                  + " has no layer \""
                  + config.frozenUpTo()
                  + "\" at or below "
                  + config.layer()
                  + "; those there: "
                  + names(kept)));
    }
    upTo(kept, inputs, config.frozenLayer(), source, "train.pretrained.image.frozenUpTo")
        .forEach(n -> frozen.add(n.name()));
    params.keySet().retainAll(keptNames);
    params.values().removeIf(Map::isEmpty);
    return new ImportedEncoder(
        source, config, kept, frozen, format != null ? format : inputFormat(kept), params);
  }

  /**
   * This encoder with the parameters of {@code weights} (a model of the same architecture, named
   * {@code source} in errors) in place of its own, layer by layer name; refuses a layer {@code
   * weights} lacks or a parameter of another shape, naming both shapes.
   */
  public ImportedEncoder withParametersOf(Model weights, String source) {
    Map<String, Map<String, INDArray>> theirs = new LinkedHashMap<>();
    if (weights instanceof ComputationGraph graph) {
      for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
        theirs.put(layer.conf().getLayer().getLayerName(), layer.paramTable());
      }
    } else if (weights instanceof MultiLayerNetwork net) {
      for (int i = 0; i < net.getnLayers(); i++) {
        String name = net.getLayer(i).conf().getLayer().getLayerName();
        theirs.put(name == null ? "layer" + i : name, net.getLayer(i).paramTable());
      }
    }
    List<String> problems = new ArrayList<>();
    Map<String, Map<String, INDArray>> taken = new LinkedHashMap<>();
    params.forEach(
        (layer, table) -> {
          Map<String, INDArray> there = theirs.get(layer);
          if (there == null) {
            problems.add(source + " has no layer " + layer + " (" + this.source + " has)");
            return;
          }
          Map<String, INDArray> copy = new LinkedHashMap<>();
          table.forEach(
              (key, mine) -> {
                INDArray value = there.get(key);
                if (value == null || !Arrays.equals(value.shape(), mine.shape())) {
                  problems.add(
                      layer
                          + " parameter "
                          + key
                          + " is "
                          + (value == null ? "absent" : Arrays.toString(value.shape()))
                          + " in "
                          + source
                          + " and "
                          + Arrays.toString(mine.shape())
                          + " in "
                          + config.zoo()
                          + " for these images");
                } else {
                  copy.put(key, value.dup());
                }
              });
          taken.put(layer, copy);
        });
    if (!problems.isEmpty()) {
      throw new ConfigException("train.pretrained.image.weights", problems);
    }
    return new ImportedEncoder(this.source, config, nodes, frozen, format, taken);
  }

  private static Map<String, INDArray> copies(Map<String, INDArray> table) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    table.forEach((k, v) -> out.put(k, v.dup()));
    return out;
  }

  private static List<String> names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList();
  }

  /** {@code nodes} (in order) that {@code cut} depends on, itself included. */
  private static List<Node> upTo(
      List<Node> nodes, List<String> inputs, String cut, String source, String setting) {
    Map<String, Node> byName = new LinkedHashMap<>();
    nodes.forEach(n -> byName.put(n.name(), n));
    if (!byName.containsKey(cut)) {
      throw new ConfigException(
          setting, List.of(source + " has no layer \"" + cut + "\"; its layers: " + names(nodes)));
    }
    Set<String> needed = new HashSet<>();
    Set<String> inputsNeeded = new LinkedHashSet<>();
    List<String> open = new ArrayList<>(List.of(cut));
    while (!open.isEmpty()) {
      String name = open.remove(open.size() - 1);
      if (inputs.contains(name)) {
        inputsNeeded.add(name);
      } else if (needed.add(name)) {
        open.addAll(byName.get(name).inputs());
      }
    }
    if (inputsNeeded.size() != 1) {
      throw new ConfigException(
          setting,
          List.of(
              source
                  + ": the layers up to \""
                  + cut
                  + "\" read the inputs "
                  + inputsNeeded
                  + "; an image encoder reads one image"));
    }
    return nodes.stream().filter(n -> needed.contains(n.name())).toList();
  }

  /**
   * Whether the encoder's layers read channels first or last: the format of the first layer (in
   * order from the input) that has one; channels first when none has.
   */
  private static CNN2DFormat inputFormat(List<Node> nodes) {
    for (Node n : nodes) {
      Layer l = n.layer();
      CNN2DFormat f =
          l instanceof ConvolutionLayer c
              ? c.getCnn2dDataFormat()
              : l instanceof SubsamplingLayer s
                  ? s.getCnn2dDataFormat()
                  : l instanceof BatchNormalization b
                      ? b.getCnn2DFormat()
                      : l instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer z
                          ? z.getDataFormat()
                          : l
                                  instanceof
                                  org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D c2
                              ? c2.getDataFormat()
                              : l instanceof org.deeplearning4j.nn.conf.layers.Upsampling2D u
                                  ? u.getFormat()
                                  : null;
      if (f != null) {
        return f;
      }
    }
    return CNN2DFormat.NCHW;
  }

  /** The encoder's file (or architecture and weights), for messages. */
  public String source() {
    return source;
  }

  /** Whether the encoder's layers read channels last. */
  public CNN2DFormat format() {
    return format;
  }

  /** This network's names of the encoder's layers with parameters, in order. */
  public List<String> layers() {
    return params.keySet().stream().map(n -> PREFIX + n).toList();
  }

  /** This network's names of the layers frozen by {@code train.pretrained.frozenEpochs}. */
  public Set<String> frozenLayers() {
    Set<String> out = new LinkedHashSet<>();
    params.keySet().stream().filter(frozen::contains).forEach(n -> out.add(PREFIX + n));
    return out;
  }

  /** The number of parameters taken from the other model. */
  public long parameters() {
    return params.values().stream()
        .flatMap(m -> m.values().stream())
        .mapToLong(INDArray::length)
        .sum();
  }

  /**
   * Adds the encoder to {@code g} over the network input {@code image} ({@code features}' images)
   * and returns the name of its last vertex. {@code updaterOf} gives each layer's updater (by this
   * network's name; null: the network's own), so that the layers train by this network's
   * settings, not the other model's.
   */
  String addTo(
      ComputationGraphConfiguration.GraphBuilder g,
      String image,
      FeaturizerState features,
      Function<String, IUpdater> updaterOf) {
    g.addVertex(
        INPUT,
        new ImageInput(
            features.imageHeight(),
            features.imageWidth(),
            features.imageChannels(),
            format,
            config.normalise()),
        image);
    Set<String> names = new HashSet<>();
    nodes.forEach(n -> names.add(n.name()));
    for (Node n : nodes) {
      String[] in =
          n.inputs().stream()
              .map(i -> names.contains(i) ? PREFIX + i : INPUT)
              .toArray(String[]::new);
      String name = PREFIX + n.name();
      if (n.layer() != null) {
        Layer layer = n.layer().clone();
        layer.setLayerName(name);
        // Keras's dropout is a layer of its own (a DropoutLayer here); the import still gives
        // every layer a keep-everything dropout, which costs a mask per step and fails on
        // channels-last activations.
        if (!(layer instanceof org.deeplearning4j.nn.conf.layers.DropoutLayer)) {
          layer.setIDropout(null);
        }
        if (layer instanceof BaseLayer base) {
          base.setIUpdater(updaterOf.apply(name));
          base.setBiasUpdater(null);
        }
        g.addLayer(name, layer, n.pre() == null ? null : n.pre().clone(), in);
      } else {
        g.addVertex(name, n.vertex().clone(), in);
      }
    }
    return PREFIX + config.layer();
  }

  /**
   * Copies the encoder's parameters into {@code graph} (built with {@link #addTo}); refuses a
   * parameter of another shape there, naming the layer and both shapes, before copying any.
   */
  public void copyInto(ComputationGraph graph) {
    List<String> problems = new ArrayList<>();
    params.forEach(
        (layer, table) ->
            table.forEach(
                (key, value) -> {
                  INDArray here = graph.getLayer(PREFIX + layer).getParam(key);
                  if (here == null || !Arrays.equals(here.shape(), value.shape())) {
                    problems.add(
                        layer
                            + " parameter "
                            + key
                            + " is "
                            + Arrays.toString(value.shape())
                            + " in "
                            + source
                            + " and "
                            + (here == null ? "absent" : Arrays.toString(here.shape()))
                            + " here");
                  }
                }));
    if (!problems.isEmpty()) {
      throw new ConfigException("train.pretrained.image", problems);
    }
    params.forEach(
        (layer, table) ->
            table.forEach(
                (key, value) ->
                    graph
                        .getLayer(PREFIX + layer)
                        .setParam(
                            key,
                            value.castTo(
                                graph.getLayer(PREFIX + layer).getParam(key).dataType()))));
  }

  /**
   * The encoder alone, its parameters copied: the prepared images ({@code features}' size) in, the
   * cut layer's output out. Refuses images the encoder cannot read (another size or channel count
   * than its layers were made for), naming the file and both shapes.
   */
  public ComputationGraph alone(FeaturizerState features) {
    ComputationGraphConfiguration.GraphBuilder g =
        new NeuralNetConfiguration.Builder()
            .dataType(DataType.FLOAT)
            .graphBuilder()
            .addInputs(ModelInputs.IMAGE);
    String out =
        addTo(g, ModelInputs.IMAGE, features, name -> new org.nd4j.linalg.learning.config.NoOp());
    g.setOutputs(out);
    g.setInputTypes(
        InputType.convolutionalFlat(
            features.imageHeight(), features.imageWidth(), features.imageChannels()));
    ComputationGraph graph;
    try {
      graph = new ComputationGraph(g.build());
      graph.init();
    } catch (RuntimeException e) {
      throw unreadable(features, e);
    }
    copyInto(graph);
    try {
      graph.outputSingle(
          org.nd4j.linalg.factory.Nd4j.zeros(
              DataType.FLOAT,
              1,
              (long) features.imageChannels() * features.imageHeight() * features.imageWidth()));
    } catch (RuntimeException e) {
      throw unreadable(features, e);
    }
    return graph;
  }

  private ConfigException unreadable(FeaturizerState features, RuntimeException e) {
    return new ConfigException(
        "train.pretrained.image",
        List.of(
            source
                + " cannot read the prepared images ("
                + features.imageHeight()
                + " x "
                + features.imageWidth()
                + ", "
                + features.imageChannels()
                + " channel(s)) up to "
                + config.layer()
                + ": "
                + e.getMessage()
                + " (set prep.image.width, height and channels to what it was made for)"));
  }
}
