package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.source.TabularValues;

/**
 * Applies a {@link FeaturizerState} to aligned records. A missing modality becomes zeros (the
 * "no text" token for text) with its presence flag at 0; a missing numeric cell becomes the
 * training mean; an unseen category the "other" slot; a missing label, or a class never seen in
 * training, a masked target.
 */
public final class Featurizer implements Serializable {
  private static final long serialVersionUID = 1L;

  private final FeaturizerState state;
  private final TextVocabulary vocabulary;
  private transient List<Map<String, Integer>> categoryIndex;
  private transient List<Map<String, Integer>> classIndex;

  public Featurizer(FeaturizerState state) {
    this.state = state;
    this.vocabulary = new TextVocabulary(state.vocabulary());
  }

  public FeaturizerState state() {
    return state;
  }

  public Example featurize(AlignedRecord r) {
    float[] tabular = new float[state.tabularWidth()];
    float[] tokens = new float[state.maxTokens()];
    float[] tokenMask = new float[state.maxTokens()];
    float[] pixels = new float[state.imageWidth() * state.imageHeight()];
    float[] presence = new float[ModelInputs.MODALITIES.size()];
    if (r.tabular() != null) {
      fillTabular(r.tabular(), tabular);
      presence[0] = 1;
    }
    vocabulary.encode(r.text(), state.maxTokens(), tokens, tokenMask);
    if (r.text() != null) {
      presence[1] = 1;
    }
    if (r.image() != null) {
      byte[] px = r.image();
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = (px[i] & 0xff) / 255f;
      }
      presence[2] = 1;
    }
    List<TaskEncoding> tasks = state.tasks();
    float[][] labels = new float[tasks.size()][];
    float[] mask = new float[tasks.size()];
    for (int t = 0; t < tasks.size(); t++) {
      TaskEncoding task = tasks.get(t);
      labels[t] = new float[task.width()];
      String v = r.labels() == null ? null : r.labels().values()[t];
      if (v == null) {
        continue;
      }
      switch (task.type()) {
        case REGRESSION -> {
          labels[t][0] = (float) ((Double.parseDouble(v) - task.mean()) / task.std());
          mask[t] = 1;
        }
        case BINARY -> {
          labels[t][0] = Float.parseFloat(v);
          mask[t] = 1;
        }
        case MULTICLASS -> {
          Integer c = classes().get(t).get(v);
          if (c != null) {
            labels[t][c] = 1;
            mask[t] = 1;
          }
        }
        default -> throw new IllegalStateException(task.type().toString());
      }
    }
    return new Example(r.key(), tabular, tokens, tokenMask, pixels, presence, labels, mask);
  }

  /** An all-masked example that pads the last batch of a partition to the batch size. */
  public Example padding() {
    float[] tokens = new float[state.maxTokens()];
    float[] tokenMask = new float[state.maxTokens()];
    tokens[0] = TextVocabulary.NO_TEXT;
    tokenMask[0] = 1;
    float[][] labels = new float[state.tasks().size()][];
    for (int t = 0; t < labels.length; t++) {
      labels[t] = new float[state.tasks().get(t).width()];
    }
    return new Example("", new float[state.tabularWidth()], tokens, tokenMask,
        new float[state.imageWidth() * state.imageHeight()], new float[ModelInputs.MODALITIES.size()], labels,
        new float[labels.length]);
  }

  private void fillTabular(TabularValues v, float[] out) {
    int n = state.numericColumns().size();
    for (int i = 0; i < n; i++) {
      double x = v.numeric()[i];
      out[i] = Double.isNaN(x) ? 0f : (float) ((x - state.means().get(i)) / state.stds().get(i));
    }
    int offset = n;
    List<Map<String, Integer>> index = categories();
    for (int c = 0; c < state.categories().size(); c++) {
      int width = state.categories().get(c).size();
      String value = v.categorical()[c];
      if (value != null) {
        out[offset + index.get(c).getOrDefault(value, width)] = 1;
      }
      offset += width + 1;
    }
  }

  private List<Map<String, Integer>> categories() {
    if (categoryIndex == null) {
      categoryIndex = state.categories().stream().map(Featurizer::indexOf).toList();
    }
    return categoryIndex;
  }

  private List<Map<String, Integer>> classes() {
    if (classIndex == null) {
      classIndex = state.tasks().stream()
          .map(t -> t.type() == TaskConfig.TaskType.MULTICLASS ? indexOf(t.classes()) : Map.<String, Integer>of())
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
