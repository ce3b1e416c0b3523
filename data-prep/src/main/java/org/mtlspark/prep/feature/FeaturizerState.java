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
 * @param idColumns the identifier columns ({@code ids}), in source order
 * @param idVocabularies per identifier column its vocabulary, most frequent first: the id at
 *     position {@code i} has index {@code i + 1}; index 0 stands for any other id and for a
 *     missing one
 * @param numericEdges per numeric column the edges of its quantile bins on the training split,
 *     ascending and distinct ({@code prep.numericBins}); a column with fewer than two edges (or
 *     every column, without bins) has no bin features
 * @param charBuckets buckets of the hashed character trigrams that stand for words outside the
 *     vocabulary ({@code prep.text.charBuckets}; 0: none), token ids after the vocabulary's
 * @param whitespaceTokens whether a text's tokens are its whitespace-separated pieces ({@code
 *     prep.text.split: whitespace}) rather than its runs of letters and digits
 * @param keepCase whether tokens keep their case ({@code prep.text.lowercase: false})
 * @param unknownShapes whether a word outside the vocabulary takes its shape's id ({@code
 *     prep.text.shapes}) rather than the unknown one
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
    List<TaskEncoding> tasks,
    List<String> idColumns,
    List<List<String>> idVocabularies,
    List<List<Double>> numericEdges,
    int charBuckets,
    boolean whitespaceTokens,
    boolean keepCase,
    boolean unknownShapes,
    int imageChannels)
    implements Serializable {

  /** The index of an identifier that is not in its column's vocabulary, or missing. */
  public static final int UNKNOWN_ID = 0;

  /**
   * A state read from a manifest written before identifier columns (or numeric bins, or character
   * trigrams) existed has none.
   */
  public FeaturizerState {
    idColumns = idColumns == null ? List.of() : idColumns;
    idVocabularies = idVocabularies == null ? List.of() : idVocabularies;
    numericEdges = numericEdges == null ? List.of() : numericEdges;
    imageChannels = imageChannels == 0 ? 1 : imageChannels; // manifests before colour: grey
  }

  /** A state of grey images. */
  public FeaturizerState(
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
      List<TaskEncoding> tasks,
      List<String> idColumns,
      List<List<String>> idVocabularies,
      List<List<Double>> numericEdges,
      int charBuckets,
      boolean whitespaceTokens,
      boolean keepCase,
      boolean unknownShapes) {
    this(
        modalities,
        numericColumns,
        means,
        stds,
        missingIndicators,
        categoricalColumns,
        categories,
        hashedColumns,
        hashBuckets,
        maxTokens,
        vocabulary,
        imageWidth,
        imageHeight,
        tasks,
        idColumns,
        idVocabularies,
        numericEdges,
        charBuckets,
        whitespaceTokens,
        keepCase,
        unknownShapes,
        1);
  }

  /** The values of one image input: channels x height x width. */
  public int imageValues() {
    return imageChannels * imageWidth * imageHeight;
  }

  /** A state whose texts are cut into words (not at whitespace). */
  public FeaturizerState(
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
      List<TaskEncoding> tasks,
      List<String> idColumns,
      List<List<String>> idVocabularies,
      List<List<Double>> numericEdges,
      int charBuckets) {
    this(
        modalities,
        numericColumns,
        means,
        stds,
        missingIndicators,
        categoricalColumns,
        categories,
        hashedColumns,
        hashBuckets,
        maxTokens,
        vocabulary,
        imageWidth,
        imageHeight,
        tasks,
        idColumns,
        idVocabularies,
        numericEdges,
        charBuckets,
        false,
        false,
        false);
  }

  /** A state without identifier columns and numeric bins. */
  public FeaturizerState(
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
      List<TaskEncoding> tasks) {
    this(
        modalities,
        numericColumns,
        means,
        stds,
        missingIndicators,
        categoricalColumns,
        categories,
        hashedColumns,
        hashBuckets,
        maxTokens,
        vocabulary,
        imageWidth,
        imageHeight,
        tasks,
        List.of(),
        List.of(),
        List.of(),
        0);
  }

  /**
   * A state of standardized numeric columns alone (no missing indicators, no other modality), as
   * benchmarks and tests build for synthetic tables.
   */
  public static FeaturizerState numbers(
      List<String> columns, List<Double> means, List<Double> stds, List<TaskEncoding> tasks) {
    return new FeaturizerState(
        List.of(ModelInputs.TABULAR),
        columns,
        means,
        stds,
        false,
        List.of(),
        List.of(),
        List.of(),
        1,
        1,
        List.of(),
        1,
        1,
        tasks);
  }

  /** This state with identifier columns and their vocabularies (and the ids modality). */
  public FeaturizerState withIds(List<String> columns, List<List<String>> vocabularies) {
    List<String> m = new ArrayList<>(modalities);
    if (!m.contains(ModelInputs.IDS)) {
      m.add(ModelInputs.IDS);
    }
    return with(
        m,
        columns,
        vocabularies,
        numericEdges,
        charBuckets,
        whitespaceTokens,
        keepCase,
        unknownShapes);
  }

  /** This state with quantile bin edges per numeric column (see {@link #numericEdges}). */
  public FeaturizerState withNumericEdges(List<List<Double>> edges) {
    return with(
        modalities,
        idColumns,
        idVocabularies,
        edges,
        charBuckets,
        whitespaceTokens,
        keepCase,
        unknownShapes);
  }

  /** This state with buckets of character trigrams for words outside the vocabulary. */
  public FeaturizerState withCharBuckets(int buckets) {
    return with(
        modalities,
        idColumns,
        idVocabularies,
        numericEdges,
        buckets,
        whitespaceTokens,
        keepCase,
        unknownShapes);
  }

  private FeaturizerState with(
      List<String> modalities,
      List<String> idColumns,
      List<List<String>> idVocabularies,
      List<List<Double>> numericEdges,
      int charBuckets,
      boolean whitespaceTokens,
      boolean keepCase,
      boolean unknownShapes) {
    return new FeaturizerState(
        modalities,
        numericColumns,
        means,
        stds,
        missingIndicators,
        categoricalColumns,
        categories,
        hashedColumns,
        hashBuckets,
        maxTokens,
        vocabulary,
        imageWidth,
        imageHeight,
        tasks,
        idColumns,
        idVocabularies,
        numericEdges,
        charBuckets,
        whitespaceTokens,
        keepCase,
        unknownShapes,
        imageChannels);
  }

  /**
   * This state with texts cut at whitespace ({@code prep.text.split: whitespace}) or not, their
   * tokens keeping their case or lower-cased, words outside the vocabulary taking their shape's id
   * or the unknown one.
   */
  public FeaturizerState withTokens(boolean whitespace, boolean cased, boolean shapes) {
    return with(
        modalities,
        idColumns,
        idVocabularies,
        numericEdges,
        charBuckets,
        whitespace,
        cased,
        shapes);
  }

  /** The vocabulary that turns this state's texts into token ids. */
  public TextVocabulary textVocabulary() {
    return new TextVocabulary(vocabulary, charBuckets, whitespaceTokens, keepCase, unknownShapes);
  }

  /** Bin features of numeric column {@code i}: one per bin between consecutive edges. */
  public int binWidth(int i) {
    return i < numericEdges.size() ? Math.max(0, numericEdges.get(i).size() - 1) : 0;
  }

  /** Indices identifier column {@code c} can take: its vocabulary plus the unknown index 0. */
  public int idVocabularySize(int c) {
    return idVocabularies.get(c).size() + 1;
  }

  /**
   * Width of the tabular input: numeric columns, their missing indicators, per categorical column
   * its values plus "other", per hashed column its buckets, then per numeric column its bins.
   */
  public int tabularWidth() {
    int w = numericColumns.size() * (missingIndicators ? 2 : 1);
    for (List<String> c : categories) {
      w += c.size() + 1;
    }
    w += hashedColumns.size() * hashBuckets;
    for (int i = 0; i < numericColumns.size(); i++) {
      w += binWidth(i);
    }
    return w;
  }

  /** Ids the text input can hold (vocabulary plus reserved ids). */
  public int textVocabularySize() {
    return textVocabulary().size();
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
