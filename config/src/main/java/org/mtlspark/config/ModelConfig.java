package org.mtlspark.config;

import java.util.List;

/**
 * The network: one encoder per modality, fused by concatenation or attention, then the sharing
 * (one trunk for every task, one tower per task pulled together, or experts mixed by task gates),
 * with {@code taskAttentionHeads} each task's own attention over the image's cells, each task's own
 * layers ({@code taskHidden}), one head per task. With {@code wide}, each head also
 * reads the tabular input itself and the text's mean embedding: a linear model over the table's
 * features and the words beside the deep part (Wide and Deep, Cheng et al. 2016).
 */
public record ModelConfig(
    List<Integer> tabularHidden,
    int textEmbedding,
    TextEncoder textEncoder,
    int textKernel,
    int textHeads,
    int textHidden,
    List<Integer> imageFilters,
    int imageKernel,
    ImagePadding imagePadding,
    double imageDropout,
    int imageHidden,
    int idEmbedding,
    List<Integer> trunk,
    List<Integer> taskHidden,
    Activation activation,
    double l2,
    double dropout,
    Fusion fusion,
    int fusionDim,
    int fusionHeads,
    Sharing sharing,
    double softSharingMu,
    int experts,
    int taskExperts,
    boolean wide,
    int retrievalDim,
    double retrievalTemperature,
    List<String> fuse,
    int captionHeads,
    int taskAttentionHeads)
    implements Validatable {

  /**
   * How the text encoder turns token embeddings into one state per token before mean pooling over
   * the unmasked tokens: not at all ({@code mean}), a 1-D convolution over {@code textKernel}
   * tokens, multi-head self-attention with {@code textHeads} heads, or a bidirectional LSTM of
   * {@code textHidden} units each way ({@code bilstm}, states of twice that). Token tasks read the
   * per-token states, the other tasks the pooled one.
   */
  public enum TextEncoder {
    MEAN,
    CONV,
    ATTENTION,
    BILSTM
  }

  /**
   * How the modality encoders are combined: concatenated; or each projected to a token of
   * {@code fusionDim} and mixed by multi-head scaled dot-product attention in which a modality a
   * record lacks takes no part, then averaged over the present modalities; or ({@code spatial})
   * concatenated beside what the pooled text attends to in the image: the text's queries (one per
   * head, {@code fusionHeads}) over the cells of the last convolution's feature map, each cell with
   * a learned position, giving {@code fusionDim} values (visual question answering).
   */
  public enum Fusion {
    CONCAT,
    ATTENTION,
    SPATIAL
  }

  /**
   * Hard: one trunk shared by every task. Soft: one tower per task (the trunk's layer sizes each),
   * with the penalty {@code softSharingMu * sum_t ||W_t - mean(W)||^2} pulling corresponding tower
   * weights together. Mmoe: the trunk's layers but the last shared, the last made of {@code
   * experts} experts of its width that every task reads through a gate of its own (a softmax over
   * the experts computed from the layer's input; Ma et al., KDD 2018). Ple: progressive layered
   * extraction (Tang et al., RecSys 2020): every trunk layer is a level of {@code taskExperts}
   * experts per task and {@code experts} shared ones; a task's gate mixes its own experts and the
   * shared ones, a shared gate mixes all of them for the level above (one level is CGC).
   */
  public enum Sharing {
    HARD,
    SOFT,
    MMOE,
    PLE
  }

  /**
   * The image convolutions' padding: {@code same} keeps the size, {@code valid} uses only whole
   * windows (a k x k kernel takes k - 1 pixels off each side's length).
   */
  public enum ImagePadding {
    SAME,
    VALID
  }

  /** Hidden activations offered by the model builder. */
  public enum Activation {
    RELU,
    TANH,
    LEAKYRELU,
    ELU
  }

  /** This network with another fusion and sharing. */
  public ModelConfig with(Fusion fusion, Sharing sharing) {
    return new ModelConfig(
        tabularHidden,
        textEmbedding,
        textEncoder,
        textKernel,
        textHeads,
        textHidden,
        imageFilters,
        imageKernel,
        imagePadding,
        imageDropout,
        imageHidden,
        idEmbedding,
        trunk,
        taskHidden,
        activation,
        l2,
        dropout,
        fusion,
        fusionDim,
        fusionHeads,
        sharing,
        softSharingMu,
        experts,
        taskExperts,
        wide,
        retrievalDim,
        retrievalTemperature,
        fuse,
        captionHeads,
        taskAttentionHeads);
  }

  /** This network with a text embedding of {@code width} values (pretrained word vectors' width). */
  public ModelConfig withTextEmbedding(int width) {
    return new ModelConfig(
        tabularHidden,
        width,
        textEncoder,
        textKernel,
        textHeads,
        textHidden,
        imageFilters,
        imageKernel,
        imagePadding,
        imageDropout,
        imageHidden,
        idEmbedding,
        trunk,
        taskHidden,
        activation,
        l2,
        dropout,
        fusion,
        fusionDim,
        fusionHeads,
        sharing,
        softSharingMu,
        experts,
        taskExperts,
        wide,
        retrievalDim,
        retrievalTemperature,
        fuse,
        captionHeads,
        taskAttentionHeads);
  }

  @Override
  public void validate(String path, Problems problems) {
    positive(tabularHidden, Validatable.at(path, "tabularHidden"), problems);
    positive(imageFilters, Validatable.at(path, "imageFilters"), problems);
    positive(trunk, Validatable.at(path, "trunk"), problems);
    positive(taskHidden, Validatable.at(path, "taskHidden"), problems);
    problems.require(
        !trunk.isEmpty() || sharing == Sharing.HARD,
        Validatable.at(path, "trunk"),
        "needs at least one layer with sharing " + sharing.name().toLowerCase());
    problems.require(
        imageKernel >= 1, Validatable.at(path, "imageKernel"), "must be >= 1, was " + imageKernel);
    problems.require(
        imageDropout >= 0 && imageDropout < 1,
        Validatable.at(path, "imageDropout"),
        "must be in [0, 1), was " + imageDropout);
    problems.require(
        taskExperts >= 1, Validatable.at(path, "taskExperts"), "must be >= 1, was " + taskExperts);
    problems.require(
        textEmbedding >= 1,
        Validatable.at(path, "textEmbedding"),
        "must be >= 1, was " + textEmbedding);
    problems.require(
        textKernel >= 1, Validatable.at(path, "textKernel"), "must be >= 1, was " + textKernel);
    problems.require(
        textHidden >= 1, Validatable.at(path, "textHidden"), "must be >= 1, was " + textHidden);
    problems.require(
        fuse.stream().allMatch(m -> List.of("tabular", "text", "image", "ids").contains(m))
            && new java.util.HashSet<>(fuse).size() == fuse.size(),
        Validatable.at(path, "fuse"),
        "must name distinct modalities of [tabular, text, image, ids] (empty: all), was " + fuse);
    problems.require(
        fuse.isEmpty()
            || fusion == Fusion.CONCAT
            || (fusion == Fusion.SPATIAL && fuse.containsAll(List.of("text", "image"))),
        Validatable.at(path, "fuse"),
        fusion == Fusion.SPATIAL
            ? "must name text and image with fusion: spatial (the text attends over the image), was "
                + fuse
            : "needs fusion: concat (attention fusion mixes one token per modality of the data)");
    problems.require(
        fusion != Fusion.SPATIAL || !imageFilters.isEmpty(),
        Validatable.at(path, "imageFilters"),
        "must name at least one convolution with fusion: spatial (the text attends over its cells)");
    problems.require(
        retrievalDim >= 1,
        Validatable.at(path, "retrievalDim"),
        "must be >= 1, was " + retrievalDim);
    problems.require(
        retrievalTemperature > 0 && Double.isFinite(retrievalTemperature),
        Validatable.at(path, "retrievalTemperature"),
        "must be > 0, was " + retrievalTemperature);
    problems.require(
        captionHeads >= 0 && (captionHeads == 0 || fusionDim % captionHeads == 0),
        Validatable.at(path, "captionHeads"),
        "must be 0 (no attention) or a divisor of fusionDim ("
            + fusionDim
            + "), was "
            + captionHeads);
    problems.require(
        captionHeads == 0 || !imageFilters.isEmpty(),
        Validatable.at(path, "captionHeads"),
        "a caption decoder attends over the last convolution's cells: needs imageFilters");
    problems.require(
        taskAttentionHeads >= 0 && (taskAttentionHeads == 0 || fusionDim % taskAttentionHeads == 0),
        Validatable.at(path, "taskAttentionHeads"),
        "must be 0 (no attention) or a divisor of fusionDim ("
            + fusionDim
            + "), was "
            + taskAttentionHeads);
    problems.require(
        taskAttentionHeads == 0 || !imageFilters.isEmpty(),
        Validatable.at(path, "taskAttentionHeads"),
        "each task attends over the last convolution's cells: needs imageFilters");
    problems.require(
        taskAttentionHeads == 0 || !trunk.isEmpty(),
        Validatable.at(path, "taskAttentionHeads"),
        "each task's attention is queried by the trunk's last layer: needs a trunk layer");
    problems.require(
        textHeads >= 1
            && (textEncoder != TextEncoder.ATTENTION
                || textEmbedding % Math.max(1, textHeads) == 0),
        Validatable.at(path, "textHeads"),
        "must be >= 1 and, with textEncoder: attention, divide textEmbedding ("
            + textEmbedding
            + "), was "
            + textHeads);
    problems.require(
        imageHidden >= 1, Validatable.at(path, "imageHidden"), "must be >= 1, was " + imageHidden);
    problems.require(
        idEmbedding >= 1, Validatable.at(path, "idEmbedding"), "must be >= 1, was " + idEmbedding);
    problems.require(l2 >= 0, Validatable.at(path, "l2"), "must be >= 0, was " + l2);
    problems.require(
        fusionDim >= 1, Validatable.at(path, "fusionDim"), "must be >= 1, was " + fusionDim);
    problems.require(
        fusionHeads >= 1 && fusionDim % Math.max(1, fusionHeads) == 0,
        Validatable.at(path, "fusionHeads"),
        "must be >= 1 and divide fusionDim (" + fusionDim + "), was " + fusionHeads);
    problems.require(
        softSharingMu >= 0 && Double.isFinite(softSharingMu),
        Validatable.at(path, "softSharingMu"),
        "must be >= 0, was " + softSharingMu);
    problems.require(
        experts >= (sharing == Sharing.MMOE ? 2 : 1),
        Validatable.at(path, "experts"),
        sharing == Sharing.MMOE
            ? "must be >= 2 with sharing mmoe (one expert is hard sharing), was " + experts
            : "must be >= 1, was " + experts);
    problems.require(
        dropout >= 0 && dropout < 1,
        Validatable.at(path, "dropout"),
        "must be in [0, 1), was " + dropout);
  }

  private static void positive(List<Integer> sizes, String path, Problems problems) {
    for (int i = 0; i < sizes.size(); i++) {
      problems.require(
          sizes.get(i) >= 1, path + "[" + i + "]", "must be >= 1, was " + sizes.get(i));
    }
  }
}
