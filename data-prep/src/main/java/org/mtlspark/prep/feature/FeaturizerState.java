package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.List;

/**
 * Everything fit on the training split that turns an aligned record into model inputs and targets.
 * Saved in the manifest so that scoring applies exactly the same transformation.
 */
public record FeaturizerState(
    List<String> numericColumns,
    List<Double> means,
    List<Double> stds,
    List<String> categoricalColumns,
    List<List<String>> categories,
    int maxTokens,
    List<String> vocabulary,
    int imageWidth,
    int imageHeight,
    List<TaskEncoding> tasks)
    implements Serializable {

  /** Width of the tabular input: numeric columns, then per categorical column its values plus "other". */
  public int tabularWidth() {
    int w = numericColumns.size();
    for (List<String> c : categories) {
      w += c.size() + 1;
    }
    return w;
  }

  /** Ids the text input can hold (vocabulary plus reserved ids). */
  public int textVocabularySize() {
    return TextVocabulary.FIRST_TOKEN + vocabulary.size();
  }
}
