package org.mtlspark.workers;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;

/** A small featurizer state (as a manifest holds it) and random examples that fit it, for model tests. */
public final class TestBatches {
  private TestBatches() {}

  /** 7 tabular features, 10 tokens over 6 ids, 8x8 images; a regression, a 4-class and a binary task. */
  public static FeaturizerState state() {
    List<TaskEncoding> tasks =
        List.of(
            new TaskEncoding(
                "spend",
                TaskConfig.TaskType.REGRESSION,
                "spend",
                1.0,
                List.of(),
                List.of(),
                5,
                2,
                100),
            new TaskEncoding(
                "tier",
                TaskConfig.TaskType.MULTICLASS,
                "tier",
                0.5,
                List.of("a", "b", "c", "d"),
                List.of(10L, 20L, 30L, 40L),
                0,
                1,
                100),
            new TaskEncoding(
                "churn",
                TaskConfig.TaskType.BINARY,
                "churn",
                2.0,
                List.of("0", "1"),
                List.of(60L, 40L),
                0,
                1,
                100));
    return new FeaturizerState(
        List.of(ModelInputs.TABULAR, ModelInputs.TEXT, ModelInputs.IMAGE),
        List.of("x", "y"),
        List.of(0.0, 0.0),
        List.of(1.0, 1.0),
        false,
        List.of("c"),
        List.of(List.of("p", "q", "r", "s")),
        List.of(),
        2,
        10,
        List.of("w1", "w2", "w3"),
        8,
        8,
        tasks);
  }

  /**
   * {@link #state()} with the ids modality: two identifier columns, of 5 and 3 ids (6 and 4 indices
   * with the unknown index 0).
   */
  public static FeaturizerState stateWithIds() {
    return state()
        .withIds(
            List.of("ratings.user", "ratings.item"),
            List.of(List.of("u1", "u2", "u3", "u4", "u5"), List.of("i1", "i2", "i3")));
  }

  /** {@link #state()} with images of {@code side x side} pixels and {@code channels} channels. */
  public static FeaturizerState withImages(int side, int channels) {
    return withImages(side, side, channels);
  }

  /** {@link #state()} with images {@code width} wide, {@code height} high, of {@code channels}. */
  public static FeaturizerState withImages(int width, int height, int channels) {
    FeaturizerState s = state();
    return new FeaturizerState(
        s.modalities(),
        s.numericColumns(),
        s.means(),
        s.stds(),
        s.missingIndicators(),
        s.categoricalColumns(),
        s.categories(),
        s.hashedColumns(),
        s.hashBuckets(),
        s.maxTokens(),
        s.vocabulary(),
        width,
        height,
        s.tasks(),
        s.idColumns(),
        s.idVocabularies(),
        s.numericEdges(),
        s.charBuckets(),
        s.whitespaceTokens(),
        s.keepCase(),
        s.unknownShapes(),
        channels);
  }

  /** {@code s} with other modalities and tasks, the featurizers as they are. */
  public static FeaturizerState withModalitiesAndTasks(
      FeaturizerState s, List<String> modalities, List<TaskEncoding> tasks) {
    return new FeaturizerState(
        modalities,
        s.numericColumns(),
        s.means(),
        s.stds(),
        s.missingIndicators(),
        s.categoricalColumns(),
        s.categories(),
        s.hashedColumns(),
        s.hashBuckets(),
        s.maxTokens(),
        s.vocabulary(),
        s.imageWidth(),
        s.imageHeight(),
        tasks);
  }

  /** The tags of {@link #stateWithTokens()}'s token task. */
  public static final List<String> TAGS = List.of("B-X", "I-X", "O");

  /**
   * {@link #state()} with the table and the text only, and a fourth task, "tags", a token task
   * over {@link #TAGS}.
   */
  public static FeaturizerState stateWithTokens() {
    FeaturizerState s = state();
    List<TaskEncoding> tasks = new ArrayList<>(s.tasks());
    tasks.add(
        new TaskEncoding(
            "tags",
            TaskConfig.TaskType.TOKENS,
            "tags",
            1.0,
            TAGS,
            List.of(10L, 5L, 50L),
            0,
            1,
            100,
            TaskConfig.Loss.MSE,
            1.0,
            TaskConfig.Transform.NONE,
            "",
            List.of(),
            0,
            List.of(2, 2, 2, 0, 1, 2),
            0));
    return withModalitiesAndTasks(s, List.of(ModelInputs.TABULAR, ModelInputs.TEXT), tasks)
        .withTokens(true, false, false);
  }

  /**
   * {@code n} random examples of {@link #stateWithTokens()}: those of {@link #examples} with a tag
   * at every token position of the text (some texts unlabelled when {@code masked}).
   */
  public static List<Example> tokenExamples(FeaturizerState s, int n, long seed, boolean masked) {
    Random r = new Random(seed + 1000);
    List<Example> out = new ArrayList<>();
    int positions = s.maxTokens();
    for (Example e : examples(s, n, seed, masked)) {
      float[] tags = new float[TAGS.size() * positions];
      for (int at = 0; at < positions; at++) {
        if (e.tokenMask()[at] > 0) {
          tags[r.nextInt(TAGS.size()) * positions + at] = 1;
        }
      }
      out.add(withFourthLabel(e, tags, masked && r.nextInt(4) == 0 ? 0 : 1));
    }
    return out;
  }

  /**
   * {@link #state()} with a fourth task, "caption", writing the text (its words: the end mark, the
   * unknown word and the vocabulary's three).
   */
  public static FeaturizerState stateWithCaption() {
    FeaturizerState s = state();
    List<TaskEncoding> tasks = new ArrayList<>(s.tasks());
    List<String> words = TaskEncoding.captionClasses(s.vocabulary());
    tasks.add(
        new TaskEncoding(
            "caption",
            TaskConfig.TaskType.CAPTION,
            "text",
            1.0,
            words,
            java.util.Collections.nCopies(words.size(), 0L),
            0,
            1,
            100));
    return withModalitiesAndTasks(s, s.modalities(), tasks);
  }

  /**
   * {@code n} random examples of {@link #stateWithCaption()}: those of {@link #examples} with their
   * text's words as the caption's targets, the texts at most one shorter than the positions (so
   * the end mark has a position), some without a caption when {@code masked}.
   */
  public static List<Example> captionExamples(FeaturizerState s, int n, long seed, boolean masked) {
    Random r = new Random(seed + 2000);
    List<Example> out = new ArrayList<>();
    int positions = s.maxTokens();
    for (Example e : examples(s, n, seed, masked)) {
      float[] tokens = e.tokens().clone();
      float[] mask = e.tokenMask().clone();
      tokens[positions - 1] = 0;
      mask[positions - 1] = 0;
      for (int at = 0; at < positions; at++) {
        if (mask[at] > 0) {
          tokens[at] = TextVocabulary.FIRST_TOKEN + r.nextInt(s.vocabulary().size());
        }
      }
      float[] words = new float[s.tasks().get(3).width() * positions];
      org.mtlspark.prep.feature.Featurizer.captionWords(tokens, mask, words);
      Example text =
          new Example(
              e.key(),
              e.tabular(),
              tokens,
              mask,
              e.pixels(),
              e.ids(),
              e.presence(),
              e.labels(),
              e.labelMask());
      out.add(withFourthLabel(text, words, masked && r.nextInt(4) == 0 ? 0 : 1));
    }
    return out;
  }

  /**
   * {@link #state()} with a fourth task, "match", retrieval between the text and the image (the
   * table stays, so the other tasks read the trunk).
   */
  public static FeaturizerState stateWithRetrieval() {
    FeaturizerState s = state();
    List<TaskEncoding> tasks = new ArrayList<>(s.tasks());
    tasks.add(
        new TaskEncoding(
            "match",
            TaskConfig.TaskType.RETRIEVAL,
            "",
            1.0,
            List.of(ModelInputs.TEXT, ModelInputs.IMAGE),
            List.of(100L, 100L),
            0,
            1,
            100));
    return withModalitiesAndTasks(s, s.modalities(), tasks);
  }

  /**
   * {@code n} random examples of {@link #stateWithRetrieval()}: those of {@link #examples}, each a
   * pair for the retrieval task (some not, when {@code masked}).
   */
  public static List<Example> retrievalExamples(
      FeaturizerState s, int n, long seed, boolean masked) {
    Random r = new Random(seed + 2000);
    List<Example> out = new ArrayList<>();
    for (Example e : examples(s, n, seed, masked)) {
      out.add(withFourthLabel(e, new float[] {1}, masked && r.nextInt(4) == 0 ? 0 : 1));
    }
    return out;
  }

  /** {@code e} with a fourth task's label and mask after its three. */
  private static Example withFourthLabel(Example e, float[] label, float mask) {
    float[][] labels = java.util.Arrays.copyOf(e.labels(), 4);
    labels[3] = label;
    float[] labelMask = java.util.Arrays.copyOf(e.labelMask(), 4);
    labelMask[3] = mask;
    return withLabels(e, labels, labelMask);
  }

  /** {@code e} with task {@code t}'s label and mask alone, for a model of that task only. */
  public static Example onlyTask(Example e, int t) {
    return withLabels(e, new float[][] {e.labels()[t]}, new float[] {e.labelMask()[t]});
  }

  private static Example withLabels(Example e, float[][] labels, float[] labelMask) {
    return new Example(
        e.key(),
        e.tabular(),
        e.tokens(),
        e.tokenMask(),
        e.pixels(),
        e.ids(),
        e.presence(),
        labels,
        labelMask);
  }

  /** {@code n} random examples; {@code masked} leaves some labels of the 4-class task missing. */
  public static List<Example> examples(FeaturizerState s, int n, long seed, boolean masked) {
    Random r = new Random(seed);
    List<Example> examples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] tab = new float[s.tabularWidth()];
      for (int j = 0; j < tab.length; j++) {
        tab[j] = (float) r.nextGaussian();
      }
      float[] tokens = new float[s.maxTokens()];
      float[] mask = new float[s.maxTokens()];
      int len = 1 + r.nextInt(s.maxTokens());
      for (int j = 0; j < len; j++) {
        tokens[j] = r.nextInt(s.textVocabularySize());
        mask[j] = 1;
      }
      float[] px = new float[s.imageWidth() * s.imageHeight()];
      for (int j = 0; j < px.length; j++) {
        px[j] = r.nextFloat();
      }
      float[][] labels = {{(float) r.nextGaussian()}, new float[4], {r.nextInt(2)}};
      labels[1][r.nextInt(4)] = 1;
      float[] labelMask = {1, masked ? r.nextInt(2) : 1, 1};
      float[] ids = new float[s.idColumns().size()];
      for (int c = 0; c < ids.length; c++) {
        ids[c] = r.nextInt(s.idVocabularySize(c));
      }
      float[] presence = new float[s.modalities().size()];
      java.util.Arrays.fill(presence, 1);
      if (!s.has(ModelInputs.TABULAR)) {
        tab = new float[0];
      }
      if (!s.has(ModelInputs.TEXT)) {
        tokens = new float[0];
        mask = new float[0];
      }
      if (!s.has(ModelInputs.IMAGE)) {
        px = new float[0];
      }
      examples.add(new Example("k" + i, tab, tokens, mask, px, ids, presence, labels, labelMask));
    }
    return examples;
  }
}
