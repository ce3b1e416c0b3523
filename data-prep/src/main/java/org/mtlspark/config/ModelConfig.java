package org.mtlspark.config;

import java.util.List;

/** The network: one encoder per modality, concatenation fusion, a shared trunk, one head per task. */
public record ModelConfig(
    List<Integer> tabularHidden,
    int textEmbedding,
    TextEncoder textEncoder,
    int textKernel,
    int textHeads,
    List<Integer> imageFilters,
    int imageHidden,
    List<Integer> trunk,
    Activation activation,
    double l2,
    double dropout)
    implements Validatable {

  /**
   * How the text encoder turns token embeddings into one vector before mean pooling over the
   * unmasked tokens: not at all ({@code mean}), a 1-D convolution over {@code textKernel} tokens,
   * or multi-head self-attention with {@code textHeads} heads.
   */
  public enum TextEncoder { MEAN, CONV, ATTENTION }

  /** Hidden activations offered by the model builder. */
  public enum Activation { RELU, TANH, LEAKYRELU, ELU }

  @Override
  public void validate(String path, Problems problems) {
    positive(tabularHidden, Validatable.at(path, "tabularHidden"), problems);
    positive(imageFilters, Validatable.at(path, "imageFilters"), problems);
    positive(trunk, Validatable.at(path, "trunk"), problems);
    problems.require(!trunk.isEmpty(), Validatable.at(path, "trunk"), "needs at least one shared layer");
    problems.require(textEmbedding >= 1, Validatable.at(path, "textEmbedding"), "must be >= 1, was " + textEmbedding);
    problems.require(textKernel >= 1, Validatable.at(path, "textKernel"), "must be >= 1, was " + textKernel);
    problems.require(textHeads >= 1 && textEmbedding % Math.max(1, textHeads) == 0, Validatable.at(path, "textHeads"),
        "must be >= 1 and divide textEmbedding (" + textEmbedding + "), was " + textHeads);
    problems.require(imageHidden >= 1, Validatable.at(path, "imageHidden"), "must be >= 1, was " + imageHidden);
    problems.require(l2 >= 0, Validatable.at(path, "l2"), "must be >= 0, was " + l2);
    problems.require(dropout >= 0 && dropout < 1, Validatable.at(path, "dropout"), "must be in [0, 1), was " + dropout);
  }

  private static void positive(List<Integer> sizes, String path, Problems problems) {
    for (int i = 0; i < sizes.size(); i++) {
      problems.require(sizes.get(i) >= 1, path + "[" + i + "]", "must be >= 1, was " + sizes.get(i));
    }
  }
}
