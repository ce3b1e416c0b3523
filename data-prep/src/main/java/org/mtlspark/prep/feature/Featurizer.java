package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.split.KeySplit;

/**
 * Applies a {@link FeaturizerState} to aligned records. A missing modality becomes zeros (the "no
 * text" token for text) with its presence flag at 0; a missing numeric cell becomes the training
 * mean (0 after standardization) with its missing indicator at 1 and its bin features at 0; an
 * unseen category the "other"
 * slot; a hashed value one of the column's buckets; an identifier its index in the column's
 * vocabulary, or {@link FeaturizerState#UNKNOWN_ID} when it is not there or missing; a missing
 * label, or a class never seen in training, a masked target. Inputs of modalities no source
 * provides are empty arrays.
 */
public final class Featurizer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final FeaturizerState state;
  private final RecordLayout layout;
  private final TextVocabulary vocabulary;
  private transient List<Map<String, Integer>> categoryIndex;
  private transient List<Map<String, Integer>> classIndex;
  private transient List<Map<String, Integer>> idIndex;

  public Featurizer(FeaturizerState state, RecordLayout layout) {
    this.state = state;
    this.layout = layout;
    this.vocabulary = state.textVocabulary();
  }

  public FeaturizerState state() {
    return state;
  }

  public Example featurize(AlignedRecord r) {
    boolean hasText = state.has(ModelInputs.TEXT);
    float[] tabular = new float[state.has(ModelInputs.TABULAR) ? state.tabularWidth() : 0];
    float[] tokens = new float[hasText ? state.maxTokens() : 0];
    float[] tokenMask = new float[hasText ? state.maxTokens() : 0];
    float[] pixels = new float[state.has(ModelInputs.IMAGE) ? state.imageValues() : 0];
    float[] ids = new float[state.has(ModelInputs.IDS) ? state.idColumns().size() : 0];
    float[] presence = new float[state.modalities().size()];
    if (state.has(ModelInputs.IDS) && layout.idsPresent(r)) {
      fillIds(r, ids);
      presence[state.modalities().indexOf(ModelInputs.IDS)] = 1;
    }
    if (state.has(ModelInputs.TABULAR) && layout.tabularPresent(r)) {
      fillTabular(r, tabular);
      presence[state.modalities().indexOf(ModelInputs.TABULAR)] = 1;
    }
    String text = hasText ? layout.text(r) : null;
    List<String> textTokens = hasText ? vocabulary.tokensOf(text) : List.of();
    if (hasText) {
      vocabulary.encodeTokens(textTokens, state.maxTokens(), tokens, tokenMask);
      if (text != null) {
        presence[state.modalities().indexOf(ModelInputs.TEXT)] = 1;
      }
    }
    byte[] px = state.has(ModelInputs.IMAGE) ? layout.image(r) : null;
    if (px != null) {
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (px[i] & 0xff) / 255f;
      }
      presence[state.modalities().indexOf(ModelInputs.IMAGE)] = 1;
    }
    List<TaskEncoding> tasks = state.tasks();
    float[][] labels = new float[tasks.size()][];
    float[] mask = new float[tasks.size()];
    for (int t = 0; t < tasks.size(); t++) {
      TaskEncoding task = tasks.get(t);
      labels[t] = new float[task.labelWidth(state.maxTokens())];
      String v = layout.label(r, t);
      if (v == null) {
        continue;
      }
      if (task.perToken()) {
        mask[t] = text != null && tagTokens(t, v, textTokens.size(), labels[t]) ? 1 : 0;
        continue;
      }
      if (task.caption()) {
        mask[t] = text != null && captionWords(tokens, tokenMask, labels[t]) ? 1 : 0;
        continue;
      }
      switch (task.type()) {
        case REGRESSION -> {
          labels[t][0] = (float) task.target(Double.parseDouble(v));
          mask[t] = 1;
        }
        case BINARY -> {
          labels[t][0] = Float.parseFloat(v);
          mask[t] = 1;
        }
        case RETRIEVAL -> {
          labels[t][0] = 1; // the record has both sides: a pair
          mask[t] = 1;
        }
        case MULTICLASS -> {
          Integer c = classes().get(t).get(v);
          if (c == null && !task.otherClass().isEmpty()) {
            c = classes().get(t).get(task.otherClass()); // a merged or unseen class
          }
          if (c != null) {
            labels[t][c] = 1;
            mask[t] = 1;
          }
        }
        case ORDINAL -> {
          Integer c = classes().get(t).get(v);
          if (c != null) {
            for (int k = 0; k < c; k++) {
              labels[t][k] = 1; // the class is above class k
            }
            mask[t] = 1;
          }
        }
        case MULTILABEL -> {
          for (String label : v.isEmpty() ? new String[0] : Keys.split(v)) {
            Integer c = classes().get(t).get(label);
            if (c != null) {
              labels[t][c] = 1;
            }
          }
          mask[t] = 1;
        }
        default -> throw new IllegalStateException(task.type().toString());
      }
    }
    return new Example(r.key(), tabular, tokens, tokenMask, pixels, ids, presence, labels, mask);
  }

  /** An all-masked example that pads the last batch of a partition to the batch size. */
  public Example padding() {
    boolean hasText = state.has(ModelInputs.TEXT);
    float[] tokens = new float[hasText ? state.maxTokens() : 0];
    float[] tokenMask = new float[hasText ? state.maxTokens() : 0];
    if (hasText) {
      TextVocabulary.encodeNoText(tokens, tokenMask);
    }
    float[][] labels = new float[state.tasks().size()][];
    for (int t = 0; t < labels.length; t++) {
      labels[t] = new float[state.tasks().get(t).labelWidth(state.maxTokens())];
    }
    return new Example(
        "",
        new float[state.has(ModelInputs.TABULAR) ? state.tabularWidth() : 0],
        tokens,
        tokenMask,
        new float[state.has(ModelInputs.IMAGE) ? state.imageValues() : 0],
        new float[state.has(ModelInputs.IDS) ? state.idColumns().size() : 0],
        new float[state.modalities().size()],
        labels,
        new float[labels.length]);
  }

  /**
   * Writes the tags of token task {@code t} ({@code tags}, one per token of a text of {@code
   * tokenCount} tokens) into {@code out}, class-major over the token positions; false, writing
   * nothing, when the tag count differs from the token count (a text longer than the positions is
   * tagged on the positions it has). A tag never seen in training leaves its position unlabelled
   * (all zeros).
   */
  boolean tagTokens(int t, String tags, int tokenCount, float[] out) {
    String[] tagged = tags.split(" ");
    if (tokenCount != tagged.length) {
      return false;
    }
    int positions = state.maxTokens();
    Map<String, Integer> index = classes().get(t);
    for (int i = 0; i < Math.min(positions, tagged.length); i++) {
      Integer c = index.get(tagged[i]);
      if (c != null) {
        out[c * positions + i] = 1;
      }
    }
    return true;
  }

  /**
   * Writes a caption task's targets for the text of {@code tokens} (ids, {@code mask} 1 on its
   * positions) into {@code out}, class-major over the positions: each position's own word, then the
   * end mark on the position after the last word when the text leaves one (a text cut at the
   * positions has none). False, writing nothing, for a text without words.
   */
  public static boolean captionWords(float[] tokens, float[] mask, float[] out) {
    int positions = tokens.length;
    int length = 0;
    while (length < positions && mask[length] > 0) {
      length++;
    }
    if (length == 0 || tokens[0] == TextVocabulary.NO_TEXT) {
      return false; // no words (a text of no tokens is encoded as "no text")
    }
    for (int i = 0; i < length; i++) {
      out[TaskEncoding.captionClass((int) tokens[i]) * positions + i] = 1;
    }
    if (length < positions) {
      out[TaskEncoding.END * positions + length] = 1;
    }
    return true;
  }

  private void fillTabular(AlignedRecord r, float[] out) {
    int n = state.numericColumns().size();
    for (int i = 0; i < n; i++) {
      double x = layout.numeric(r, i);
      boolean missing = Double.isNaN(x);
      out[i] = missing ? 0f : (float) ((x - state.means().get(i)) / state.stds().get(i));
      if (state.missingIndicators() && missing) {
        out[n + i] = 1;
      }
    }
    int offset = state.missingIndicators() ? 2 * n : n;
    List<Map<String, Integer>> index = categories();
    for (int c = 0; c < state.categories().size(); c++) {
      int width = state.categories().get(c).size();
      String value = layout.categorical(r, c);
      if (value != null) {
        out[offset + index.get(c).getOrDefault(value, width)] = 1;
      }
      offset += width + 1;
    }
    for (int h = 0; h < state.hashedColumns().size(); h++) {
      String value = layout.hashed(r, h);
      if (value != null) {
        out[offset + bucket(value, state.hashBuckets())] = 1;
      }
      offset += state.hashBuckets();
    }
    for (int i = 0; i < n; i++) {
      int width = state.binWidth(i);
      if (width > 0) {
        encodeBins(layout.numeric(r, i), state.numericEdges().get(i), out, offset);
      }
      offset += width;
    }
  }

  /**
   * The piecewise-linear code of {@code x} over bins with the given ascending edges, written from
   * {@code offset}: per bin 0 when {@code x} is at or below its lower edge, 1 at or above its upper
   * edge, the relative position in between; all 0 for a missing value (NaN).
   */
  static void encodeBins(double x, List<Double> edges, float[] out, int offset) {
    if (Double.isNaN(x)) {
      return;
    }
    for (int b = 0; b + 1 < edges.size(); b++) {
      double lo = edges.get(b);
      double hi = edges.get(b + 1);
      out[offset + b] = (float) Math.max(0, Math.min(1, (x - lo) / (hi - lo)));
    }
  }

  private void fillIds(AlignedRecord r, float[] out) {
    List<Map<String, Integer>> index = ids();
    for (int c = 0; c < out.length; c++) {
      out[c] = index(index.get(c), layout.id(r, c));
    }
  }

  /** The index of {@code id} in a column's vocabulary index: 1 + its position, or 0. */
  static int index(Map<String, Integer> vocabulary, String id) {
    Integer i = id == null ? null : vocabulary.get(id);
    return i == null ? FeaturizerState.UNKNOWN_ID : i + 1;
  }

  private List<Map<String, Integer>> ids() {
    if (idIndex == null) {
      idIndex = state.idVocabularies().stream().map(Featurizer::indexOf).toList();
    }
    return idIndex;
  }

  /** The bucket of a hashed value: a stable hash of the value, modulo the bucket count. */
  public static int bucket(String value, int buckets) {
    return (int) Math.min(buckets - 1, Math.floor(KeySplit.unit("hash\u0000", value) * buckets));
  }

  private List<Map<String, Integer>> categories() {
    if (categoryIndex == null) {
      categoryIndex = state.categories().stream().map(Featurizer::indexOf).toList();
    }
    return categoryIndex;
  }

  private List<Map<String, Integer>> classes() {
    if (classIndex == null) {
      classIndex =
          state.tasks().stream()
              .map(
                  t ->
                      t.type() == TaskConfig.TaskType.MULTICLASS
                              || t.type() == TaskConfig.TaskType.MULTILABEL
                              || t.type() == TaskConfig.TaskType.ORDINAL
                              || t.type() == TaskConfig.TaskType.TOKENS
                          ? indexOf(t.classes())
                          : Map.<String, Integer>of())
              .toList();
    }
    return classIndex;
  }

  private static Map<String, Integer> indexOf(List<String> values) {
    Map<String, Integer> m = new HashMap<>();
    for (int i = 0; i < values.size(); i++) {
      m.put(values.get(i), i);
    }
    return m;
  }
}
