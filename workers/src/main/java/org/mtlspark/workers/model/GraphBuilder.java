package org.mtlspark.workers.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.dropout.SpatialDropout;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.mtlspark.config.ModelConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The multi-task network: one encoder per modality (dense layers for the table; token embedding,
 * optionally a 1-D convolution or self-attention, mean-pooled under the token mask for text;
 * convolution and pooling for images; a learned embedding table per identifier column, looked up by
 * the column's index, the embeddings concatenated; each only when the prepared data has that
 * modality), fused by concatenation with the modality presence flags, by attention over modality
 * tokens ({@link AttentionFusion}), or by concatenation beside the pooled text's attention over the
 * image's feature-map cells ({@link SpatialAttention}); then a shared trunk (hard sharing), one tower per task pulled
 * together ({@link TaskTowers}, soft sharing), a trunk whose last layer is experts mixed by a gate
 * per task ({@link MixtureOfExperts}, mmoe), or levels of task and shared experts (ple); each
 * task's own dense layers ({@code model.taskHidden}); and one output layer per task ({@code
 * task_<name>}, in task order) whose loss carries the task weight lambda. With {@code model.wide}
 * each output layer reads the tabular input and the text's mean embedding too, so that its weights
 * over them are a linear model of the table and of the words beside the deep part.
 */
public final class GraphBuilder {
  private GraphBuilder() {}

  /** The vertex name of a task's output layer. */
  public static String outputName(String task) {
    return "task_" + task;
  }

  /** The vertex that joins a task's deep part and the tabular input under {@code model.wide}. */
  static String wideName(String task) {
    return "wide_" + task;
  }

  /**
   * The embedding layer of the identifier columns: its weights {@code W} hold, per column in order,
   * the column's vocabulary size plus one rows ({@link IdOffsets}).
   */
  public static final String ID_EMBEDDING = "ids_embedding";

  /** The most rows of the id embedding table: indices travel as floats, exact up to 2^24. */
  static final int MAX_ID_ROWS = 1 << 24;

  /** The network with a constant learning rate (a configured schedule needs {@code stepsPerEpoch}). */
  public static ComputationGraph build(
      FeaturizerState features, ModelConfig model, TrainConfig train, long seed) {
    return build(features, model, train, seed, 0);
  }

  /**
   * The network, its learning rate following {@code train.schedule} over {@code stepsPerEpoch}
   * steps per worker and epoch (the training batches over the workers).
   */
  public static ComputationGraph build(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch) {
    ComputationGraph graph =
        new ComputationGraph(configuration(features, model, train, seed, stepsPerEpoch));
    graph.init();
    return graph;
  }

  public static ComputationGraphConfiguration configuration(
      FeaturizerState features, ModelConfig model, TrainConfig train, long seed) {
    return configuration(features, model, train, seed, 0);
  }

  public static ComputationGraphConfiguration configuration(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch) {
    return configuration(features, model, train, seed, stepsPerEpoch, Set.of());
  }

  /**
   * As {@link #build(FeaturizerState, ModelConfig, TrainConfig, long, int)}; with {@code
   * pretrainedText}, the text embedding (to be set from pretrained word vectors, {@link
   * #setTextVectors}) trains by {@code train.pretrained}.
   */
  public static ComputationGraph build(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch,
      boolean pretrainedText) {
    return build(
        features,
        model,
        train,
        seed,
        stepsPerEpoch,
        pretrainedText ? Set.of(TEXT_EMBEDDING) : Set.of());
  }

  /**
   * As {@link #build(FeaturizerState, ModelConfig, TrainConfig, long, int)}; the layers named in
   * {@code pretrained} (set from pretrained values afterwards: {@link #setTextVectors}, {@link
   * PretrainedEncoders}) train by {@code train.pretrained}.
   */
  public static ComputationGraph build(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch,
      Set<String> pretrained) {
    return build(features, model, train, seed, stepsPerEpoch, pretrained, null);
  }

  /**
   * The network as {@link #build(FeaturizerState, ModelConfig, TrainConfig, long, int, Set)}
   * builds it, with {@code imported} (when not null) as its image encoder in place of the
   * configured convolutions; its parameters are the imported encoder's own ({@link
   * ImportedEncoder#copyInto}).
   */
  public static ComputationGraph build(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch,
      Set<String> pretrained,
      ImportedEncoder imported) {
    ComputationGraph graph =
        new ComputationGraph(
            configuration(features, model, train, seed, stepsPerEpoch, pretrained, imported));
    graph.init();
    if (imported != null && graph.getVertex(ImportedEncoder.INPUT) != null) {
      imported.copyInto(graph);
    }
    return graph;
  }

  public static ComputationGraphConfiguration configuration(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch,
      Set<String> pretrained) {
    return configuration(features, model, train, seed, stepsPerEpoch, pretrained, null);
  }

  public static ComputationGraphConfiguration configuration(
      FeaturizerState features,
      ModelConfig model,
      TrainConfig train,
      long seed,
      int stepsPerEpoch,
      Set<String> pretrained,
      ImportedEncoder imported) {
    Activation act = activation(model.activation());
    // The updater of the layers that start from pretrained values, made only when there are some.
    java.util.function.Function<String, IUpdater> updaterOf =
        name -> pretrained.contains(name) ? pretrainedUpdater(train, stepsPerEpoch) : null;
    ComputationGraphConfiguration.GraphBuilder g =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .updater(updater(train, stepsPerEpoch))
            .weightInit(WeightInit.XAVIER)
            .l2(model.l2())
            .graphBuilder()
            .addInputs(features.inputs().toArray(String[]::new));
    List<InputType> types = new ArrayList<>();
    List<String> fused = new ArrayList<>();
    // Tasks read the trunk, the per-token states (token tasks) or the modality encoders below the
    // fusion (retrieval tasks); the encoder of each modality is kept for the last.
    boolean trunkTasks = readsTrunk(features);
    boolean pooledText = features.tasks().stream().anyMatch(t -> !t.perToken());
    java.util.Map<String, String> encoders = new java.util.HashMap<>();
    java.util.Set<String> read = readModalities(features, model);
    String textStates = null;
    String imageMap = null; // the last convolution's feature map (fusion: spatial reads its cells)

    // Tabular encoder.
    if (features.has(ModelInputs.TABULAR)) {
      types.add(InputType.feedForward(features.tabularWidth()));
      if (read.contains(ModelInputs.TABULAR)) {
        String tab = ModelInputs.TABULAR;
        for (int i = 0; i < model.tabularHidden().size(); i++) {
          String name = "tabular_dense" + i;
          g.addLayer(
              name,
              new DenseLayer.Builder()
                  .nOut(model.tabularHidden().get(i))
                  .activation(act)
                  .updater(updaterOf.apply(name))
                  .build(),
              tab);
          tab = name;
        }
        fused.add(tab);
        encoders.put(ModelInputs.TABULAR, tab);
      }
    }

    // Text encoder: embedding of token ids, optionally a convolution or self-attention over them,
    // then the mean over the unmasked tokens.
    if (features.has(ModelInputs.TEXT)) {
      // Token ids [mb, maxTokens]; declared with the id count as its size, which becomes the
      // embedding's nIn.
      types.add(InputType.recurrent(features.textVocabularySize(), features.maxTokens()));
      if (read.contains(ModelInputs.TEXT) && !writesText(features)) {
        EmbeddingSequenceLayer.Builder embedding =
            new EmbeddingSequenceLayer.Builder()
                .nIn(features.textVocabularySize())
                .nOut(model.textEmbedding())
                .inputLength(features.maxTokens())
                .hasBias(false);
        embedding.updater(updaterOf.apply(TEXT_EMBEDDING));
        g.addLayer(TEXT_EMBEDDING, embedding.build(), ModelInputs.TEXT);
        String text = TEXT_EMBEDDING;
        switch (model.textEncoder()) {
          case MEAN -> {}
          case CONV -> {
            g.addLayer(
                "text_conv",
                new Convolution1DLayer.Builder()
                    .kernelSize(model.textKernel())
                    .nOut(model.textEmbedding())
                    .convolutionMode(ConvolutionMode.Same)
                    .activation(act)
                    .updater(updaterOf.apply("text_conv"))
                    .build(),
                text);
            text = "text_conv";
          }
          case BILSTM -> {
            g.addLayer(
                TEXT_BILSTM,
                new Bidirectional(
                    Bidirectional.Mode.CONCAT,
                    new LSTM.Builder()
                        .nOut(model.textHidden())
                        .activation(Activation.TANH)
                        .updater(updaterOf.apply(TEXT_BILSTM))
                        .build()),
                text);
            text = TEXT_BILSTM;
          }
          case ATTENTION -> {
            g.addLayer(
                "text_attention",
                new SelfAttentionLayer.Builder()
                    .nOut(model.textEmbedding())
                    .nHeads(model.textHeads())
                    .projectInput(true)
                    .updater(updaterOf.apply("text_attention"))
                    .build(),
                text);
            text = "text_attention";
          }
          default -> throw new IllegalStateException(model.textEncoder().toString());
        }
        textStates = text;
        if (pooledText) {
          g.addLayer("text_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), text);
          fused.add("text_pool");
          encoders.put(ModelInputs.TEXT, "text_pool");
        }
      }
    }

    // Image encoder.
    if (features.has(ModelInputs.IMAGE)) {
      types.add(
          InputType.convolutionalFlat(
              features.imageHeight(), features.imageWidth(), features.imageChannels()));
      if (read.contains(ModelInputs.IMAGE) && imported != null) {
        // An encoder from elsewhere: those of its layers in pretrained (all, unless a warm start
        // carries them) train by train.pretrained, frozen up to frozenUpTo, the later ones at the
        // rate factor from the start; the others as any layer.
        Set<String> frozen = imported.frozenLayers();
        String img =
            imported.addTo(
                g,
                ModelInputs.IMAGE,
                features,
                name ->
                    !pretrained.contains(name)
                        ? null
                        : pretrainedUpdater(
                            train,
                            stepsPerEpoch,
                            frozen.contains(name) ? train.pretrained().frozenEpochs() : 0));
        g.addLayer(
            "image_dense",
            new DenseLayer.Builder().nOut(model.imageHidden()).activation(act).build(),
            img);
        fused.add("image_dense");
        encoders.put(ModelInputs.IMAGE, "image_dense");
      } else if (read.contains(ModelInputs.IMAGE)) {
        String img = ModelInputs.IMAGE;
        for (int i = 0; i < model.imageFilters().size(); i++) {
          g.addLayer(
              "image_conv" + i,
              new ConvolutionLayer.Builder(model.imageKernel(), model.imageKernel())
                  .nOut(model.imageFilters().get(i))
                  .convolutionMode(
                      model.imagePadding() == ModelConfig.ImagePadding.SAME
                          ? ConvolutionMode.Same
                          : ConvolutionMode.Truncate)
                  .activation(act)
                  .updater(updaterOf.apply("image_conv" + i))
                  .build(),
              img);
          g.addLayer(
              "image_pool" + i,
              new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
              "image_conv" + i);
          img = "image_pool" + i;
        }
        if (model.imageDropout() > 0) {
          // Whole channels dropped: a channel mask commutes with the max pooling and the
          // activation before it, so this is dropout on the last convolution's channels.
          g.addLayer(
              "image_dropout",
              new DropoutLayer.Builder()
                  .dropOut(new SpatialDropout(1 - model.imageDropout()))
                  .build(),
              img);
          img = "image_dropout";
        }
        imageMap = img;
        g.addLayer(
            "image_dense",
            new DenseLayer.Builder()
                .nOut(model.imageHidden())
                .activation(act)
                .updater(updaterOf.apply("image_dense"))
                .build(),
            img);
        fused.add("image_dense");
        encoders.put(ModelInputs.IMAGE, "image_dense");
      }
    }

    // Identifier encoder: one embedding table per id column, held as blocks of rows of one
    // embedding layer (IdOffsets moves each column's indices into its block); the embeddings of a
    // record's ids side by side.
    if (features.has(ModelInputs.IDS)) {
      int columns = features.idColumns().size();
      int[] sizes = new int[columns];
      int rows = 0;
      for (int c = 0; c < columns; c++) {
        sizes[c] = features.idVocabularySize(c);
        rows += sizes[c];
      }
      if (rows > MAX_ID_ROWS) {
        throw new IllegalArgumentException(
            "the identifier columns "
                + features.idColumns()
                + " have "
                + rows
                + " ids in all, more than the "
                + MAX_ID_ROWS
                + " a float input holds exactly: lower prep.ids.maxVocabulary");
      }
      // Indices [mb, columns]; declared with the table's rows as its size, which becomes nIn.
      types.add(InputType.recurrent(rows, columns));
      if (read.contains(ModelInputs.IDS)) {
        g.addLayer(
            ID_EMBEDDING,
            new EmbeddingSequenceLayer.Builder()
                .nIn(rows)
                .nOut(model.idEmbedding())
                .inputLength(columns)
                .hasBias(false)
                .activation(Activation.IDENTITY)
                .build(),
            IdOffsets.of(sizes),
            ModelInputs.IDS);
        g.addVertex(
            "ids_flat",
            new ReshapeVertex('c', new int[] {-1, model.idEmbedding() * columns}, null),
            ID_EMBEDDING);
        fused.add("ids_flat");
        encoders.put(ModelInputs.IDS, "ids_flat");
      }
    }

    types.add(InputType.feedForward(features.modalities().size()));
    g.setInputTypes(types.toArray(InputType[]::new));
    if (!model.fuse().isEmpty() && trunkTasks) {
      fused = fusedEncoders(features, model, encoders);
    }
    boolean unread = !read.containsAll(features.modalities());
    if (!trunkTasks) {
      // Token and retrieval tasks alone: no fusion, no trunk; the presence flags go unread.
      List<String> outputs = new ArrayList<>();
      for (TaskEncoding task : features.tasks()) {
        String name = outputName(task.name());
        if (task.perToken()) {
          g.addLayer(name, tokenHead(task), textStates);
        } else {
          retrievalHead(g, task, encoders, model);
        }
        outputs.add(name);
      }
      return g.setOutputs(outputs.toArray(String[]::new)).allowDisconnected(true).build();
    }

    String fusion =
        switch (model.fusion()) {
          case CONCAT -> {
            fused.add(presence(g, features));
            g.addVertex("fusion", new MergeVertex(), fused.toArray(String[]::new));
            yield "fusion";
          }
          case ATTENTION -> attentionFusion(g, features, fused, model);
          case SPATIAL -> spatialFusion(g, features, fused, imageMap, model);
        };

    List<String> below =
        switch (model.sharing()) {
          case HARD -> {
            String trunk = fusion;
            for (int i = 0; i < model.trunk().size(); i++) {
              String name = "trunk" + i;
              g.addLayer(name, dense(model.trunk().get(i), model, act), trunk);
              trunk = name;
            }
            yield java.util.Collections.nCopies(features.tasks().size(), trunk);
          }
          case SOFT -> towers(g, features, fusion, model, act);
          case MMOE -> experts(g, features, fusion, model, act);
          case PLE -> extraction(g, features, fusion, model, act);
        };
    below = taskAttention(g, features, below, imageMap, model);
    below = taskLayers(g, features, below, model, act);

    // One head per task; with a wide part, it reads the tabular input and the text's mean
    // embedding beside the deep part.
    List<String> wide = new ArrayList<>();
    if (features.has(ModelInputs.TABULAR) && fuses(model, ModelInputs.TABULAR)) {
      wide.add(ModelInputs.TABULAR);
    }
    if (features.has(ModelInputs.TEXT) && fuses(model, ModelInputs.TEXT) && !writesText(features)) {
      wide.add("text_pool");
    }
    List<String> outputs = new ArrayList<>();
    for (int t = 0; t < features.tasks().size(); t++) {
      String name = outputName(features.tasks().get(t).name());
      if (features.tasks().get(t).perToken()) {
        g.addLayer(name, tokenHead(features.tasks().get(t)), textStates);
        outputs.add(name);
        continue;
      }
      if (features.tasks().get(t).retrieval()) {
        retrievalHead(g, features.tasks().get(t), encoders, model);
        outputs.add(name);
        continue;
      }
      if (features.tasks().get(t).caption()) {
        captionDecoder(g, features, features.tasks().get(t), below.get(t), imageMap, model);
        outputs.add(name);
        continue;
      }
      String in = below.get(t);
      if (model.wide() && !wide.isEmpty()) {
        in = wideName(features.tasks().get(t).name());
        List<String> parts = new ArrayList<>();
        parts.add(below.get(t));
        parts.addAll(wide);
        g.addVertex(in, new MergeVertex(), parts.toArray(String[]::new));
      }
      g.addLayer(name, head(features.tasks().get(t)), in);
      outputs.add(name);
    }
    g.setOutputs(outputs.toArray(String[]::new));
    if (unread) {
      g.allowDisconnected(true); // a modality no task reads: its input goes unread
    }
    return g.build();
  }

  /**
   * Attention fusion: each encoder projected to a token of {@code fusionDim}, the tokens and the
   * presence flags into {@link AttentionFusion}, its output beside the flags. Returns the fused vertex.
   */
  private static String attentionFusion(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      List<String> encoders,
      ModelConfig model) {
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < encoders.size(); i++) {
      String name = "token_" + features.modalities().get(i);
      g.addLayer(
          name,
          new DenseLayer.Builder().nOut(model.fusionDim()).activation(Activation.IDENTITY).build(),
          encoders.get(i));
      readsRows(g, name, encoders.get(i));
      tokens.add(name);
    }
    tokens.add(ModelInputs.PRESENCE);
    g.addVertex("fusion_tokens", new MergeVertex(), tokens.toArray(String[]::new));
    g.addLayer(
        "fusion_attention",
        new AttentionFusion.Builder()
            .tokens(encoders.size())
            .heads(model.fusionHeads())
            .nOut(model.fusionDim())
            .build(),
        "fusion_tokens");
    g.addVertex("fusion", new MergeVertex(), "fusion_attention", ModelInputs.PRESENCE);
    return "fusion";
  }

  /** The layer of {@code fusion: spatial}: the pooled text attending over the image's cells. */
  public static final String SPATIAL_ATTENTION = "spatial_attention";

  /**
   * Spatial fusion: the encoders side by side as in concatenation, beside the presence flags and
   * {@link SpatialAttention} of the pooled text over the cells of {@code imageMap} (the last
   * convolution's feature map, flattened channel by channel). Returns the fused vertex.
   */
  private static String spatialFusion(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      List<String> fused,
      String imageMap,
      ModelConfig model) {
    if (imageMap == null || !fused.contains("text_pool")) {
      throw new IllegalArgumentException(
          "model.fusion: spatial needs a text (the question) and an image in the prepared data"
              + " and in the fusion; the data has "
              + features.modalities()
              + (model.fuse().isEmpty() ? "" : ", model.fuse names " + model.fuse()));
    }
    addCells(g, "image_cells", imageMap, features, model);
    g.addVertex("question_cells", new MergeVertex(), "text_pool", "image_cells");
    g.addLayer(
        SPATIAL_ATTENTION,
        overCells(features, model, pooledTextWidth(model), model.fusionHeads()),
        "question_cells");
    List<String> parts = new ArrayList<>(fused);
    parts.add(SPATIAL_ATTENTION);
    parts.add(ModelInputs.PRESENCE);
    g.addVertex("fusion", new MergeVertex(), parts.toArray(String[]::new));
    return "fusion";
  }

  /**
   * Adds vertex {@code name}: the cells of {@code imageMap} (the last convolution's feature map)
   * as one row per example, channel by channel, as {@link SpatialAttention} reads them. Returns
   * {@code name}.
   */
  private static String addCells(
      ComputationGraphConfiguration.GraphBuilder g,
      String name,
      String imageMap,
      FeaturizerState features,
      ModelConfig model) {
    int[] map = imageMap(features, model);
    int channels = model.imageFilters().get(model.imageFilters().size() - 1);
    g.addVertex(
        name, new ReshapeVertex('c', new int[] {-1, channels * map[0] * map[1]}, null), imageMap);
    return name;
  }

  /**
   * Attention of a query of {@code queryWidth} values over the last feature map's cells ({@link
   * #addCells}): {@code heads} heads, {@code model.fusionDim} values.
   */
  private static SpatialAttention overCells(
      FeaturizerState features, ModelConfig model, int queryWidth, int heads) {
    int[] map = imageMap(features, model);
    return new SpatialAttention.Builder()
        .queryWidth(queryWidth)
        .channels(model.imageFilters().get(model.imageFilters().size() - 1))
        .map(map[0], map[1])
        .heads(heads)
        .nOut(model.fusionDim())
        .build();
  }

  /**
   * The spatial attention of {@code graph} ({@code fusion: spatial}) on a batch: [rows, heads,
   * cells], the cells row by row of the last feature map ({@link #imageMap}); null for a graph
   * without it.
   */
  public static org.nd4j.linalg.api.ndarray.INDArray spatialAttention(
      ComputationGraph graph,
      org.nd4j.linalg.api.ndarray.INDArray[] features,
      org.nd4j.linalg.api.ndarray.INDArray[] featureMasks) {
    if (graph.getVertex(SPATIAL_ATTENTION) == null) {
      return null;
    }
    graph.setLayerMaskArrays(featureMasks, null);
    try {
      return SpatialAttention.weights(
          graph.getLayer(SPATIAL_ATTENTION),
          graph.feedForward(features, false, false).get("question_cells"));
    } finally {
      graph.clearLayerMaskArrays();
      graph.clearLayersStates();
    }
  }

  /**
   * The height and width of the image encoder's last feature map: each convolution keeps the size
   * ({@code same}) or takes {@code imageKernel - 1} off it ({@code valid}), each 2x2 pooling halves
   * it (rounding down).
   */
  public static int[] imageMap(FeaturizerState features, ModelConfig model) {
    int h = features.imageHeight();
    int w = features.imageWidth();
    for (int i = 0; i < model.imageFilters().size(); i++) {
      if (model.imagePadding() == ModelConfig.ImagePadding.VALID) {
        h -= model.imageKernel() - 1;
        w -= model.imageKernel() - 1;
      }
      h /= 2;
      w /= 2;
    }
    if (h < 1 || w < 1) {
      throw new IllegalArgumentException(
          "the image encoder leaves no feature map of a "
              + features.imageHeight()
              + "x"
              + features.imageWidth()
              + " image: fewer model.imageFilters or a smaller model.imageKernel");
    }
    return new int[] {h, w};
  }

  /** The width of the pooled text: the text encoder's state per token. */
  private static int pooledTextWidth(ModelConfig model) {
    return model.textEncoder() == ModelConfig.TextEncoder.BILSTM
        ? 2 * model.textHidden()
        : model.textEmbedding();
  }

  /**
   * Soft sharing: one tower per task with the trunk's layer sizes ({@link TaskTowers}, pulled
   * together by mu), and each task's slice of the last tower layer. Returns the vertex under each head.
   */
  private static List<String> towers(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      String fusion,
      ModelConfig model,
      Activation act) {
    int count = features.tasks().size();
    String below = fusion;
    for (int i = 0; i < model.trunk().size(); i++) {
      String name = "towers" + i;
      TaskTowers.Builder layer =
          new TaskTowers.Builder()
              .towers(count)
              .width(model.trunk().get(i))
              .sharedInput(i == 0)
              .mu(model.softSharingMu())
              .activation(act);
      if (model.dropout() > 0) {
        layer.dropOut(1 - model.dropout());
      }
      g.addLayer(name, layer.build(), below);
      below = name;
    }
    return perTask(g, features, "tower_", below, model.trunk().get(model.trunk().size() - 1));
  }

  /**
   * Cuts {@code source}, the tasks' blocks of {@code width} side by side in task order, into one
   * vertex per task named {@code prefix} and the task's name; returns their names.
   */
  private static List<String> perTask(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      String prefix,
      String source,
      int width) {
    List<String> out = new ArrayList<>();
    for (int t = 0; t < features.tasks().size(); t++) {
      String name = prefix + features.tasks().get(t).name();
      g.addVertex(name, new SubsetVertex(t * width, (t + 1) * width - 1), source);
      out.add(name);
    }
    return out;
  }

  /** The layer of experts under the heads when {@code sharing: mmoe}. */
  public static final String EXPERTS = "experts";

  /**
   * Multi-gate mixture of experts: the trunk's layers but the last shared as in hard sharing, the
   * last one {@link MixtureOfExperts} of {@code model.experts} experts of its width, and each
   * task's mixture cut out for its head. Returns the vertex under each head.
   */
  private static List<String> experts(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      String fusion,
      ModelConfig model,
      Activation act) {
    String below = fusion;
    List<Integer> trunk = model.trunk();
    for (int i = 0; i < trunk.size() - 1; i++) {
      String name = "trunk" + i;
      g.addLayer(name, dense(trunk.get(i), model, act), below);
      below = name;
    }
    int width = trunk.get(trunk.size() - 1);
    g.addLayer(EXPERTS, expertLayer(features, model, width, act).build(), below);
    return perTask(g, features, "mixture_", EXPERTS, width);
  }

  /** The name of the levels of experts when {@code sharing: ple}: level i is {@code extraction<i>}. */
  public static final String EXTRACTION = "extraction";

  /**
   * Progressive layered extraction: one {@link MixtureOfExperts} level per trunk layer, each with
   * {@code model.taskExperts} experts per task and {@code model.experts} shared ones of the layer's
   * width. Every level but the last adds a shared output that, with the tasks' outputs, is the
   * next level's blocked input; each task's output of the last level is cut out for its head.
   */
  private static List<String> extraction(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      String fusion,
      ModelConfig model,
      Activation act) {
    String below = fusion;
    List<Integer> trunk = model.trunk();
    for (int i = 0; i < trunk.size(); i++) {
      MixtureOfExperts.Builder layer =
          expertLayer(features, model, trunk.get(i), act)
              .taskExperts(model.taskExperts())
              .blockedInput(i > 0)
              .sharedOutput(i < trunk.size() - 1);
      String name = EXTRACTION + i;
      g.addLayer(name, layer.build(), below);
      below = name;
    }
    return perTask(g, features, "mixture_", below, trunk.get(trunk.size() - 1));
  }

  /**
   * The prefix of each task's attention over the image's cells: {@code attention-<task>} (its
   * query {@code attention-query-<task>}, its output beside the trunk {@code attention-read-<task>};
   * a task's name holds no {@code -}, so no two tasks' names collide).
   */
  public static final String TASK_ATTENTION = "attention-";

  /**
   * With {@code model.taskAttentionHeads}, each record task's own {@link SpatialAttention} over the
   * cells of {@code imageMap} (the last convolution's feature map), queried by the vertex under
   * the task (the trunk's last layer, or the task's tower or mixture), what it finds beside that
   * vertex; returns the vertex under each head. The convolutions stay shared, each task chooses
   * where to look (as in Liu et al.'s attention networks, CVPR 2019).
   */
  private static List<String> taskAttention(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      List<String> below,
      String imageMap,
      ModelConfig model) {
    if (model.taskAttentionHeads() == 0) {
      return below;
    }
    if (imageMap == null || !fuses(model, ModelInputs.IMAGE)) {
      throw new IllegalArgumentException(
          "model.taskAttentionHeads: each task attends over an image's cells, but the model has no"
              + " image encoder in its fusion; the data has "
              + features.modalities()
              + (model.fuse().isEmpty() ? "" : ", model.fuse names " + model.fuse()));
    }
    int query = model.trunk().get(model.trunk().size() - 1);
    String cells = addCells(g, "task_cells", imageMap, features, model);
    List<String> out = new ArrayList<>(below);
    for (int t = 0; t < features.tasks().size(); t++) {
      TaskEncoding task = features.tasks().get(t);
      if (task.perToken() || task.retrieval() || task.caption()) {
        continue;
      }
      String layer = TASK_ATTENTION + task.name();
      String queryVertex = TASK_ATTENTION + "query-" + task.name();
      String read = TASK_ATTENTION + "read-" + task.name();
      g.addVertex(queryVertex, new MergeVertex(), below.get(t), cells);
      g.addLayer(layer, overCells(features, model, query, model.taskAttentionHeads()), queryVertex);
      g.addVertex(read, new MergeVertex(), below.get(t), layer);
      out.set(t, read);
    }
    return out;
  }

  /**
   * Each task's own dense layers ({@code model.taskHidden}) above the vertex under it; returns the
   * vertex under each head.
   */
  private static List<String> taskLayers(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      List<String> below,
      ModelConfig model,
      Activation act) {
    List<String> out = new ArrayList<>(below);
    for (int t = 0; t < features.tasks().size(); t++) {
      if (features.tasks().get(t).perToken() || features.tasks().get(t).retrieval()) {
        continue; // its head reads the per-token states or the modality encoders
      }
      for (int i = 0; i < model.taskHidden().size(); i++) {
        String name = "hidden_" + features.tasks().get(t).name() + "_" + i;
        g.addLayer(name, dense(model.taskHidden().get(i), model, act), out.get(t));
        out.set(t, name);
      }
    }
    return out;
  }

  /** A dense layer above the fusion: {@code width} units, dropping its inputs by {@code model.dropout}. */
  private static DenseLayer dense(int width, ModelConfig model, Activation act) {
    DenseLayer.Builder layer = new DenseLayer.Builder().nOut(width).activation(act);
    if (model.dropout() > 0) {
      layer.dropOut(1 - model.dropout());
    }
    return layer.build();
  }

  /** Shared experts of {@code width} for every task, dropping the inputs by {@code model.dropout}. */
  private static MixtureOfExperts.Builder expertLayer(
      FeaturizerState features, ModelConfig model, int width, Activation act) {
    MixtureOfExperts.Builder layer =
        new MixtureOfExperts.Builder()
            .experts(model.experts())
            .tasks(features.tasks().size())
            .width(width)
            .activation(act);
    if (model.dropout() > 0) {
      layer.dropOut(1 - model.dropout());
    }
    return layer;
  }

  /** Whether the fusion reads {@code modality}: every modality unless {@code model.fuse} names some. */
  private static boolean fuses(ModelConfig model, String modality) {
    return model.fuse().isEmpty() || model.fuse().contains(modality);
  }

  /**
   * The data's modalities no task of the model reads (no encoder is built for them): those
   * {@code model.fuse} leaves out, or all but a token task's text and a retrieval task's sides
   * when no task reads the trunk.
   */
  public static List<String> unreadModalities(FeaturizerState features, ModelConfig model) {
    java.util.Set<String> read = readModalities(features, model);
    return features.modalities().stream().filter(m -> !read.contains(m)).toList();
  }

  /** Whether some task reads the shared trunk: one that is neither a token nor a retrieval task. */
  private static boolean readsTrunk(FeaturizerState features) {
    return features.tasks().stream().anyMatch(t -> !t.perToken() && !t.retrieval());
  }

  /**
   * The modalities some task reads: through the fusion (those {@code model.fuse} names, all by
   * default) when a task reads the trunk, a retrieval task's sides, the text for token tasks. The
   * others get no encoder: their inputs go unread.
   */
  static java.util.Set<String> readModalities(FeaturizerState features, ModelConfig model) {
    boolean trunkTasks = readsTrunk(features);
    java.util.Set<String> read = new java.util.LinkedHashSet<>();
    for (String m : features.modalities()) {
      boolean byTask =
          features.tasks().stream()
              .anyMatch(
                  t ->
                      (t.retrieval() && t.classes().contains(m))
                          || (t.sequence() && m.equals(ModelInputs.TEXT)));
      if (byTask || (trunkTasks && fuses(model, m))) {
        read.add(m);
      }
    }
    return read;
  }

  /** The encoders {@code model.fuse} names, in the data's modality order; at least one. */
  private static List<String> fusedEncoders(
      FeaturizerState features, ModelConfig model, java.util.Map<String, String> encoders) {
    List<String> out = new ArrayList<>();
    for (String m : features.modalities()) {
      if (model.fuse().contains(m)) {
        out.add(encoders.get(m));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "model.fuse "
              + model.fuse()
              + " names none of the data's modalities "
              + features.modalities());
    }
    return out;
  }

  /**
   * Declares that dense layer {@code layer} reads rows from {@code input}: the pooled text is
   * [rows, size], but DL4J infers a sequence type for it and would give the layer a
   * sequence-to-rows preprocessor whose backward pass returns a sequence-shaped gradient, which
   * cannot be added to the gradient of the pooled text's other readers.
   */
  private static void readsRows(
      ComputationGraphConfiguration.GraphBuilder g, String layer, String input) {
    if (input.equals("text_pool")) {
      g.inputPreProcessor(layer, new FeedForwardIdentity());
    }
  }

  /** The projection of side {@code side} (a modality) of retrieval task {@code task}. */
  public static String projectionName(String task, String side) {
    return "project_" + task + "_" + side;
  }

  /**
   * A retrieval task's head: each side's encoder output projected linearly to {@code
   * model.retrievalDim} values, the two side by side in the task's output, whose loss is {@link
   * LossInfoNce} (it normalizes them). The output is the two projections, for evaluation, scoring
   * and retrieval.
   */
  private static void retrievalHead(
      ComputationGraphConfiguration.GraphBuilder g,
      TaskEncoding task,
      java.util.Map<String, String> encoders,
      ModelConfig model) {
    List<String> sides = new ArrayList<>();
    for (String side : task.classes()) {
      String encoder = encoders.get(side);
      if (encoder == null) {
        throw new IllegalArgumentException(
            "retrieval task "
                + task.name()
                + " pairs "
                + task.classes()
                + ", but the prepared data has no "
                + side);
      }
      String name = projectionName(task.name(), side);
      g.addLayer(
          name,
          new DenseLayer.Builder()
              .nOut(model.retrievalDim())
              .activation(Activation.IDENTITY)
              .build(),
          encoder);
      readsRows(g, name, encoder);
      sides.add(name);
    }
    String pair = "pair_" + task.name();
    g.addVertex(pair, new MergeVertex(), sides.toArray(String[]::new));
    g.addLayer(
        outputName(task.name()),
        new LossLayer.Builder(new LossInfoNce(model.retrievalTemperature(), lossWeights(task)))
            .activation(Activation.IDENTITY)
            .build(),
        pair);
  }

  /**
   * The presence flags the fusion reads: all of them, or with a caption task all but the text's
   * (whether a record comes with its caption must not change what the model writes: new records
   * to caption have none).
   */
  private static String presence(
      ComputationGraphConfiguration.GraphBuilder g, FeaturizerState features) {
    int text = features.modalities().indexOf(ModelInputs.TEXT);
    int count = features.modalities().size();
    if (!writesText(features) || text < 0 || count == 1) {
      return ModelInputs.PRESENCE;
    }
    List<String> parts = new ArrayList<>();
    if (text > 0) {
      g.addVertex("presence_before_text", new SubsetVertex(0, text - 1), ModelInputs.PRESENCE);
      parts.add("presence_before_text");
    }
    if (text < count - 1) {
      g.addVertex(
          "presence_after_text", new SubsetVertex(text + 1, count - 1), ModelInputs.PRESENCE);
      parts.add("presence_after_text");
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    g.addVertex("presence_without_text", new MergeVertex(), parts.toArray(String[]::new));
    return "presence_without_text";
  }

  /**
   * Whether the model has a text encoder (its {@link #TEXT_EMBEDDING}): some task reads the text
   * and no caption task writes it.
   */
  public static boolean readsTextEncoder(FeaturizerState features, ModelConfig model) {
    return features.has(ModelInputs.TEXT)
        && readModalities(features, model).contains(ModelInputs.TEXT)
        && !writesText(features);
  }

  /** Whether a task of the model writes the text (a caption task): then no encoder reads it. */
  static boolean writesText(FeaturizerState features) {
    return features.tasks().stream().anyMatch(TaskEncoding::caption);
  }

  /** The prefix of a caption task's decoder vertices; the task's name follows. */
  public static final String DECODER = "decoder_";

  /**
   * A caption task's decoder: the caption moved on by one position ({@link CaptionShift}, the
   * "no text" id first), its own word embedding, beside it at every position the record's
   * representation under the task ({@code context}: the fused encoders through the trunk, which
   * never read the text), a unidirectional LSTM of {@code model.textHidden} units, and a softmax over
   * the words at every position. With {@code model.captionHeads}, each position's state also
   * attends over the cells of {@code imageMap} (the last convolution's feature map; {@link
   * SpatialAttention} applied to each position as a row of its own, {@link StepRows}), what it
   * finds beside the state under the softmax. Trained with the true caption as input (teacher
   * forcing); {@link org.mtlspark.workers.eval.CaptionDecoder} writes a caption word by word.
   */
  private static void captionDecoder(
      ComputationGraphConfiguration.GraphBuilder g,
      FeaturizerState features,
      TaskEncoding task,
      String context,
      String imageMap,
      ModelConfig model) {
    String prefix = DECODER + task.name() + "_";
    g.addVertex(
        prefix + "input",
        new CaptionShift(org.mtlspark.prep.feature.TextVocabulary.NO_TEXT),
        ModelInputs.TEXT);
    g.addLayer(
        prefix + "embedding",
        new EmbeddingSequenceLayer.Builder()
            .nIn(features.textVocabularySize())
            .nOut(model.textEmbedding())
            .inputLength(features.maxTokens())
            .hasBias(false)
            .build(),
        prefix + "input");
    g.addVertex(prefix + "steps", new StepContext(), prefix + "embedding", context);
    g.addLayer(
        prefix + "lstm",
        new LSTM.Builder().nOut(model.textHidden()).activation(Activation.TANH).build(),
        prefix + "steps");
    String states = prefix + "lstm";
    if (model.captionHeads() > 0) {
      if (imageMap == null) {
        throw new IllegalArgumentException(
            "model.captionHeads: caption task "
                + task.name()
                + " attends over an image's cells, but the model has no image encoder; the data"
                + " has "
                + features.modalities());
      }
      addCells(g, prefix + "cells", imageMap, features, model);
      g.addVertex(prefix + "rows", new StepRows(), states, prefix + "cells");
      g.addLayer(
          prefix + "attention",
          overCells(features, model, model.textHidden(), model.captionHeads()),
          prefix + "rows");
      g.addVertex(prefix + "attended", new RowSteps(features.maxTokens()), prefix + "attention");
      g.addVertex(prefix + "read", new MergeVertex(), states, prefix + "attended");
      states = prefix + "read";
    }
    g.addLayer(outputName(task.name()), tokenHead(task), states);
  }

  /** The vertex of the text encoder's bidirectional LSTM ({@code textEncoder: bilstm}). */
  public static final String TEXT_BILSTM = "text_bilstm";

  /**
   * The output layer of a token task: a softmax over the tags at every token position, its
   * cross-entropy summed over the positions the label mask keeps (per text, like every head's loss
   * per record) and weighted by lambda.
   */
  static RnnOutputLayer tokenHead(TaskEncoding task) {
    return new RnnOutputLayer.Builder(new LossMCXENT(lossWeights(task)))
        .nOut(task.width())
        .activation(Activation.SOFTMAX)
        .weightInit(WeightInit.XAVIER)
        .build();
  }

  /**
   * A task's loss weights: a row of its output width filled with lambda, which scales the loss's
   * score and gradient and is saved with the model.
   */
  private static org.nd4j.linalg.api.ndarray.INDArray lossWeights(TaskEncoding task) {
    return Nd4j.valueArrayOf(new long[] {1, task.width()}, task.weight())
        .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
  }

  /** The output layer of a task: activation and loss by type, loss weighted by lambda. */
  static OutputLayer head(TaskEncoding task) {
    int width = task.width();
    var lambda = lossWeights(task);
    Activation activation;
    ILossFunction loss;
    if (task.type() == TaskConfig.TaskType.REGRESSION) {
      activation = Activation.IDENTITY;
      loss =
          task.loss() == TaskConfig.Loss.HUBER
              ? new LossHuber(task.huberDelta(), lambda)
              : new LossMSE(lambda);
    } else if (task.type() == TaskConfig.TaskType.BINARY
        || task.type() == TaskConfig.TaskType.MULTILABEL
        || task.type() == TaskConfig.TaskType.ORDINAL) {
      // Ordinal: K - 1 cumulative outputs, output k the probability that the class is above class
      // k.
      activation = Activation.SIGMOID;
      loss = new LossBinaryXENT(lambda);
    } else {
      activation = Activation.SOFTMAX;
      loss = new LossMCXENT(lambda);
    }
    return new OutputLayer.Builder(loss)
        .nOut(width)
        .activation(activation)
        .weightInit(WeightInit.XAVIER)
        .build();
  }

  static IUpdater updater(TrainConfig train, int stepsPerEpoch) {
    if (!LearningRateSchedule.varies(train)) {
      return switch (train.updater()) {
        case ADAM -> new Adam(train.learningRate());
        case SGD -> new Sgd(train.learningRate());
        case NESTEROVS -> new Nesterovs(train.learningRate(), 0.9);
      };
    }
    if (stepsPerEpoch < 1) {
      throw new IllegalArgumentException(
          "a learning-rate schedule needs the steps per epoch (training batches / workers)");
    }
    return updater(train.updater(), LearningRateSchedule.of(train, stepsPerEpoch));
  }

  /** The configured optimizer with its learning rate following {@code schedule}. */
  private static IUpdater updater(TrainConfig.Updater kind, ISchedule schedule) {
    return switch (kind) {
      case ADAM -> new Adam(schedule);
      case SGD -> new Sgd(schedule);
      case NESTEROVS -> new Nesterovs(schedule, 0.9);
    };
  }

  /**
   * The updater of a part that starts from pretrained values: the network's, its rate 0 for the
   * first {@code train.pretrained.frozenEpochs} epochs and then {@code rateFactor} times the
   * network's ({@link PretrainedSchedule}).
   */
  static IUpdater pretrainedUpdater(TrainConfig train, int stepsPerEpoch) {
    return pretrainedUpdater(train, stepsPerEpoch, train.pretrained().frozenEpochs());
  }

  /** {@link #pretrainedUpdater(TrainConfig, int)} frozen for {@code frozenEpochs} epochs. */
  static IUpdater pretrainedUpdater(TrainConfig train, int stepsPerEpoch, int frozenEpochs) {
    TrainConfig.Pretrained p = train.pretrained();
    if (frozenEpochs > 0 && stepsPerEpoch < 1) {
      throw new IllegalArgumentException(
          "train.pretrained.frozenEpochs needs the steps per epoch (training batches / workers)");
    }
    ISchedule schedule =
        new PretrainedSchedule(
            LearningRateSchedule.varies(train)
                ? LearningRateSchedule.of(train, stepsPerEpoch)
                : null,
            train.learningRate(),
            (double) frozenEpochs * Math.max(1, stepsPerEpoch),
            p.rateFactor());
    return updater(train.updater(), schedule);
  }

  /**
   * The layers with parameters of one modality's encoder ({@code image}, {@code text} or {@code
   * tabular}) under {@code model}, as {@link #configuration} names them, below the fusion: what
   * another model's encoder gives ({@code train.pretrained.parts}).
   */
  public static List<String> encoderLayers(ModelConfig model, String modality) {
    List<String> names = new ArrayList<>();
    switch (modality) {
      case ModelInputs.IMAGE -> {
        for (int i = 0; i < model.imageFilters().size(); i++) {
          names.add("image_conv" + i);
        }
        names.add("image_dense");
      }
      case ModelInputs.TEXT -> {
        names.add(TEXT_EMBEDDING);
        switch (model.textEncoder()) {
          case MEAN -> {}
          case CONV -> names.add("text_conv");
          case BILSTM -> names.add(TEXT_BILSTM);
          case ATTENTION -> names.add("text_attention");
          default -> throw new IllegalStateException(model.textEncoder().toString());
        }
      }
      case ModelInputs.TABULAR -> {
        for (int i = 0; i < model.tabularHidden().size(); i++) {
          names.add("tabular_dense" + i);
        }
      }
      default -> throw new IllegalArgumentException("no encoder of " + modality);
    }
    return names;
  }

  /** The text encoder's embedding layer: one row per token id ({@link TextVocabulary}). */
  public static final String TEXT_EMBEDDING = "text_embedding";

  /** What {@link #setTextVectors} did: the rows it set and the factor it scaled every vector by. */
  public record TextVectorsSet(int rows, double scale) {}

  /**
   * Sets the text embedding's rows of the vocabulary's tokens that have a pretrained vector
   * ({@code vectors}, token {@code i} at id {@code FIRST_TOKEN + i}), each times one factor: {@code
   * scale}, or with NaN the factor that gives the vectors' values the standard deviation of the
   * embedding's random rows. Refuses vectors of another width than the embedding's.
   */
  public static TextVectorsSet setTextVectors(
      ComputationGraph graph, org.mtlspark.prep.feature.WordVectors vectors, double scale) {
    if (graph.getVertex(TEXT_EMBEDDING) == null) { // getLayer throws for a missing name
      return new TextVectorsSet(0, 1);
    }
    org.nd4j.linalg.api.ndarray.INDArray w = graph.getLayer(TEXT_EMBEDDING).getParam("W");
    if (w.columns() != vectors.dimension()) {
      throw new IllegalArgumentException(
          "the word vectors have "
              + vectors.dimension()
              + " values, the text embedding "
              + w.columns()
              + ": set model.textEmbedding to "
              + vectors.dimension());
    }
    int first = org.mtlspark.prep.feature.TextVocabulary.FIRST_TOKEN;
    if (first + vectors.tokens() > w.rows()) {
      throw new IllegalArgumentException(
          "the word vectors are for "
              + vectors.tokens()
              + " tokens, the text embedding holds "
              + (w.rows() - first)
              + ": the vectors and the model come from different prepared data");
    }
    double factor = Double.isNaN(scale) ? spreadRatio(w, vectors) : scale;
    int set = 0;
    for (int t = 0; t < vectors.tokens(); t++) {
      float[] v = vectors.row(t);
      if (v != null) {
        w.putRow(first + t, Nd4j.createFromArray(v).castTo(w.dataType()).muli(factor));
        set++;
      }
    }
    return new TextVectorsSet(set, factor);
  }

  /** The standard deviation of {@code w}'s values over that of the vectors' values (1 if none). */
  private static double spreadRatio(
      org.nd4j.linalg.api.ndarray.INDArray w, org.mtlspark.prep.feature.WordVectors vectors) {
    double sum = 0;
    double squares = 0;
    long n = 0;
    for (int t = 0; t < vectors.tokens(); t++) {
      float[] v = vectors.row(t);
      if (v != null) {
        for (float x : v) {
          sum += x;
          squares += (double) x * x;
          n++;
        }
      }
    }
    double variance = n == 0 ? 0 : squares / n - (sum / n) * (sum / n);
    double random = w.stdNumber().doubleValue();
    return variance <= 0 || random <= 0 ? 1 : random / Math.sqrt(variance);
  }

  static Activation activation(ModelConfig.Activation a) {
    return switch (a) {
      case RELU -> Activation.RELU;
      case TANH -> Activation.TANH;
      case LEAKYRELU -> Activation.LEAKYRELU;
      case ELU -> Activation.ELU;
    };
  }
}
