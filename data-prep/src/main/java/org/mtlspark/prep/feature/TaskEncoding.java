package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.List;
import org.mtlspark.config.TaskConfig;

/**
 * How a task's label becomes a target, fit on the training split. Regression targets are
 * transformed ({@code transform}: none or log1p) and then standardized with the training mean and
 * deviation of the transformed values; classes are the sorted training values (binary: "0", "1"),
 * with their training counts for the majority-class baseline; a multi-label task's classes are the
 * labels seen in training, with the number of training rows carrying each. A multiclass task whose
 * rare training classes were merged has them in {@code mergedClasses} (with the training rows they
 * held, {@code mergedRows}) and one class {@code otherClass} that stands for them and for any value
 * not seen in training; {@code otherClass} is empty when nothing was merged. The task's weight and
 * loss come from its configuration. An ordinal task's classes are the configured ones, in order;
 * its target is K - 1 cumulative binary values, value k being 1 when the class is above class k.
 * A token task's classes are its training tags (with their token counts); its target is a one-hot
 * tag per token position; {@code tokenTags} holds, per text token id, the tag the token most often
 * has in training (the baseline; ids it was never seen with take the most frequent tag), and
 * {@code mismatchedRows} the training texts whose tag count differed from their token count (left
 * unlabelled). A retrieval task's classes are its two modalities (query side first), its class
 * count the training pairs; its target is 1 where a record has both modalities. A caption task's
 * classes are the words it may write ({@link #captionClasses}): the end mark, the unknown word and
 * the text vocabulary's tokens; its target is one-hot per position of the text, the text's own word
 * there, then the end mark after the last word (when a position is left for it).
 */
public record TaskEncoding(
    String name,
    TaskConfig.TaskType type,
    String column,
    double weight,
    List<String> classes,
    List<Long> classCounts,
    double mean,
    double std,
    long trainLabels,
    TaskConfig.Loss loss,
    double huberDelta,
    TaskConfig.Transform transform,
    String otherClass,
    List<String> mergedClasses,
    long mergedRows,
    List<Integer> tokenTags,
    long mismatchedRows)
    implements Serializable {

  /** Fills what a manifest written before transforms, class merging and token tasks lacks. */
  public TaskEncoding {
    transform = transform == null ? TaskConfig.Transform.NONE : transform;
    otherClass = otherClass == null ? "" : otherClass;
    mergedClasses = mergedClasses == null ? List.of() : List.copyOf(mergedClasses);
    tokenTags = tokenTags == null ? List.of() : List.copyOf(tokenTags);
  }

  /** An encoding of a task that is not a token task. */
  public TaskEncoding(
      String name,
      TaskConfig.TaskType type,
      String column,
      double weight,
      List<String> classes,
      List<Long> classCounts,
      double mean,
      double std,
      long trainLabels,
      TaskConfig.Loss loss,
      double huberDelta,
      TaskConfig.Transform transform,
      String otherClass,
      List<String> mergedClasses,
      long mergedRows) {
    this(
        name,
        type,
        column,
        weight,
        classes,
        classCounts,
        mean,
        std,
        trainLabels,
        loss,
        huberDelta,
        transform,
        otherClass,
        mergedClasses,
        mergedRows,
        List.of(),
        0);
  }

  /** Whether the task is a retrieval task between the two modalities of {@link #classes()}. */
  public boolean retrieval() {
    return type == TaskConfig.TaskType.RETRIEVAL;
  }

  /**
   * Whether the task has one label per record that a model of the record's features can fit (not a
   * token task, not a retrieval task).
   */
  public boolean recordLabels() {
    return !sequence() && !retrieval();
  }

  /** Whether the task has a label per token of the text rather than one per record. */
  public boolean perToken() {
    return type == TaskConfig.TaskType.TOKENS;
  }

  /** Whether the task writes its source's text (a caption task). */
  public boolean caption() {
    return type == TaskConfig.TaskType.CAPTION;
  }

  /**
   * Whether the task's labels are per position of the text (a token or a caption task): [rows,
   * classes, positions] with a mask per position.
   */
  public boolean sequence() {
    return perToken() || caption();
  }

  /** A caption task's class of "the caption ends here". */
  public static final int END = 0;

  /** A caption task's class of a word outside the text vocabulary. */
  public static final int UNKNOWN_WORD = 1;

  /** A caption task's classes over text vocabulary {@code tokens}: the end mark, unknown, the tokens. */
  public static List<String> captionClasses(List<String> tokens) {
    List<String> out = new java.util.ArrayList<>();
    out.add("<end>");
    out.add("<unknown>");
    out.addAll(tokens);
    return out;
  }

  /**
   * A caption task's class of text token id {@code id} ({@link TextVocabulary}: vocabulary tokens
   * from {@link TextVocabulary#FIRST_TOKEN}); any other id is the unknown word.
   */
  public static int captionClass(int id) {
    return id >= TextVocabulary.FIRST_TOKEN ? id - TextVocabulary.FIRST_TOKEN + 2 : UNKNOWN_WORD;
  }

  /** The text token id a caption task's class {@code c} writes ({@link #END} has none: -1). */
  public static int captionToken(int c) {
    return c == END
        ? -1
        : c == UNKNOWN_WORD ? TextVocabulary.UNKNOWN : c - 2 + TextVocabulary.FIRST_TOKEN;
  }

  /**
   * The values of the task's label array in an example: {@link #width()}, times the token
   * positions for a token task (class-major: the value of class c at position i is at c * maxTokens
   * + i).
   */
  public int labelWidth(int maxTokens) {
    return sequence() ? width() * maxTokens : width();
  }

  /** The baseline tag of text token id {@code id}: its most frequent training tag. */
  public int baselineTag(int id) {
    return id >= 0 && id < tokenTags.size() ? tokenTags.get(id) : majorityClass();
  }

  /** An encoding with the default loss (MSE for regression), no transform and no merged classes. */
  public TaskEncoding(
      String name,
      TaskConfig.TaskType type,
      String column,
      double weight,
      List<String> classes,
      List<Long> classCounts,
      double mean,
      double std,
      long trainLabels) {
    this(
        name,
        type,
        column,
        weight,
        classes,
        classCounts,
        mean,
        std,
        trainLabels,
        TaskConfig.Loss.MSE,
        1.0,
        TaskConfig.Transform.NONE,
        "",
        List.of(),
        0);
  }

  /** An encoding with the given loss, no transform and no merged classes. */
  public TaskEncoding(
      String name,
      TaskConfig.TaskType type,
      String column,
      double weight,
      List<String> classes,
      List<Long> classCounts,
      double mean,
      double std,
      long trainLabels,
      TaskConfig.Loss loss,
      double huberDelta) {
    this(
        name,
        type,
        column,
        weight,
        classes,
        classCounts,
        mean,
        std,
        trainLabels,
        loss,
        huberDelta,
        TaskConfig.Transform.NONE,
        "",
        List.of(),
        0);
  }

  /**
   * Width of the task's output: 1 for regression and binary, the class (or label) count for
   * multiclass and multi-label (and per token for a token task), one less than the class count for
   * ordinal (output k: P(class > k)).
   */
  public int width() {
    return switch (type) {
      case MULTICLASS, MULTILABEL, TOKENS, CAPTION -> classes.size();
      case ORDINAL -> classes.size() - 1;
      default -> 1;
    };
  }

  /** The median training class of an ordinal task: the first whose cumulative count reaches half. */
  public int medianClass() {
    long total = classCounts.stream().mapToLong(Long::longValue).sum();
    long seen = 0;
    for (int i = 0; i < classCounts.size(); i++) {
      seen += classCounts.get(i);
      if (2 * seen >= total) {
        return i;
      }
    }
    return 0;
  }

  /** The index of the most frequent training class (ties: the first). */
  public int majorityClass() {
    int best = 0;
    for (int i = 1; i < classCounts.size(); i++) {
      if (classCounts.get(i) > classCounts.get(best)) {
        best = i;
      }
    }
    return best;
  }

  /** A regression label in its own units as the standardized target the network learns. */
  public double target(double label) {
    return (transform.apply(label) - mean) / std;
  }

  /** A standardized target (or prediction) back in the label's own units. */
  public double label(double target) {
    return transform.invert(target * std + mean);
  }

  /** The class a multiclass value is trained and evaluated as: itself, else the merged class, else none (null). */
  public String classOf(String value) {
    return classes.contains(value) ? value : otherClass.isEmpty() ? null : otherClass;
  }
}
