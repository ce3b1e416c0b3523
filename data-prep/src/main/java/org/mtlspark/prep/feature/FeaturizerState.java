package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything fit on the training split that turns an aligned record into model inputs and targets.
 * Saved in the manifest so that scoring applies exactly the same transformation. Column names are
 * qualified by their source ({@code source.column}).
 *
 * @param modalities the modalities the sources provide, in {@link ModelInputs#MODALITIES} order
 * @param missingIndicators whether each numeric column is followed (after all numeric columns) by
 *     a 0/1 "was missing" column
 */
public record FeaturizerState(
    List<String> modalities,
    List<String> numericColumns,
    List<Double> means,
    List<Double> stds,
    boolean missingIndicators,
    List<String> categoricalColumns,
    List<List<String>> categories,
    List<String> hashedColumns,
    int hashBuckets,
    int maxTokens,
    List<String> vocabulary,
    int imageWidth,
    int imageHeight,
    List<TaskEncoding> tasks)
    implements Serializable {

  /**
   * Width of the tabular input: numeric columns, their missing indicators, per categorical column
   * its values plus "other", per hashed column its buckets.
   */
  public int tabularWidth() {
    int w = numericColumns.size() * (missingIndicators ? 2 : 1);
    for (List<String> c : categories) {
      w += c.size() + 1;
    }
    return w + hashedColumns.size() * hashBuckets;
  }

  /** Ids the text input can hold (vocabulary plus reserved ids). */
  public int textVocabularySize() {
    return TextVocabulary.FIRST_TOKEN + vocabulary.size();
  }

  public boolean has(String modality) {
    return modalities.contains(modality);
  }

  /** The network inputs, in the order of the MultiDataSet feature arrays: the modalities, then presence. */
  public List<String> inputs() {
    List<String> in = new ArrayList<>(modalities);
    in.add(ModelInputs.PRESENCE);
    return in;
  }
}
