package org.mtlspark.config;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One task: its type, where its label is (a column of one source), its loss weight lambda, for
 * multi-label tasks the separator of the labels in one cell (e.g. "Comedy|Drama"), and for
 * regression tasks the loss (MSE, or Huber with its delta, in standard deviations of the target)
 * and the transform applied to the target before it is standardized. A binary task may name the
 * value of its positive class (and of its negative class); a multiclass task may merge its rare
 * training classes into one class. An ordinal task lists its classes in order, lowest first. A
 * token task labels every token of the text with a tag (its cell: one tag per token, separated by
 * whitespace). With a {@code pattern}, the label is the part of the cell that the regular
 * expression's first group matches (the whole match when it has no group). A caption task's
 * column is its source's text, which the model learns to write word by word.
 */
public record TaskConfig(
    String name,
    TaskType type,
    String source,
    String column,
    double weight,
    String separator,
    Loss loss,
    double huberDelta,
    String positive,
    String negative,
    long minClassCount,
    int maxClasses,
    String otherClass,
    Transform transform,
    List<String> classes,
    String pattern,
    List<String> between)
    implements Validatable {

  /**
   * What kind of prediction a task makes; decides the head's activation, loss and metrics. An
   * ordinal task has classes in a given order ({@link #classes()}, lowest first).
   */
  public enum TaskType {
    REGRESSION,
    MULTICLASS,
    BINARY,
    MULTILABEL,
    ORDINAL,
    /** One class per token of the record's text (a tag, e.g. BIO entity tags or parts of speech). */
    TOKENS,
    /**
     * Cross-modal retrieval between the two modalities of {@link #between()}: each is projected
     * into one embedding space where a record's two sides are near; no label column (a record
     * with both modalities is a pair).
     */
    RETRIEVAL,
    /**
     * A caption written from the record's other modalities: the column is its source's text, which
     * the model then reads only as its own words so far (teacher forcing), never as an input to the
     * shared layers; its label at each position is the next word, then an end mark.
     */
    CAPTION
  }

  /** The modalities a retrieval task may pair. */
  public static final List<String> RETRIEVABLE = List.of("tabular", "text", "image", "ids");

  /** Whether the task is a retrieval task, which has no label column. */
  public boolean retrieval() {
    return type == TaskType.RETRIEVAL;
  }

  /** Whether the task writes its source's text (a caption task). */
  public boolean caption() {
    return type == TaskType.CAPTION;
  }

  /** The loss of a regression head; the other types have one loss each. */
  public enum Loss {
    MSE,
    HUBER
  }

  /**
   * How a regression target is transformed before it is standardized: none, or log1p (log(1 + y),
   * for heavy-tailed non-negative targets; predictions are turned back with expm1).
   */
  public enum Transform {
    NONE,
    LOG1P;

    /** {@code y} on the training scale; NaN when {@code y} is outside the transform's domain. */
    public double apply(double y) {
      return this == LOG1P ? (y > -1 ? Math.log1p(y) : Double.NaN) : y;
    }

    /** {@code z} from the training scale back in the label's own units. */
    public double invert(double z) {
      return this == LOG1P ? Math.expm1(z) : z;
    }
  }

  /** Values for keys a task may leave out. */
  public static Map<String, Object> defaults() {
    return Map.ofEntries(
        Map.entry("weight", 1.0),
        Map.entry("separator", "|"),
        Map.entry("loss", "mse"),
        Map.entry("huberDelta", 1.0),
        Map.entry("positive", ""),
        Map.entry("negative", ""),
        Map.entry("minClassCount", 0L),
        Map.entry("maxClasses", 0),
        Map.entry("otherClass", "other"),
        Map.entry("transform", "none"),
        Map.entry("classes", List.of()),
        Map.entry("pattern", ""),
        Map.entry("source", ""),
        Map.entry("column", ""),
        Map.entry("between", List.of("text", "image")));
  }

  /**
   * The label in {@code cell}: the cell itself, or with a {@code pattern} the text its first group
   * (else, or when that group takes no part, the whole match) finds in the cell; null when the
   * pattern finds nothing.
   */
  public String extract(String cell) {
    if (pattern.isEmpty()) {
      return cell;
    }
    java.util.regex.Matcher m = compiled().matcher(cell);
    if (!m.find()) {
      return null;
    }
    return m.groupCount() >= 1 && m.group(1) != null ? m.group(1) : m.group();
  }

  /** Compiled patterns by their text: a task's pattern is compiled once per JVM, not per row. */
  private static final Map<String, java.util.regex.Pattern> PATTERNS =
      new java.util.concurrent.ConcurrentHashMap<>();

  private java.util.regex.Pattern compiled() {
    return PATTERNS.computeIfAbsent(pattern, java.util.regex.Pattern::compile);
  }

  /** Whether rare training classes of this task are merged into {@link #otherClass()}. */
  public boolean mergesRareClasses() {
    return type == TaskType.MULTICLASS && (minClassCount > 0 || maxClasses > 0);
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(
        name != null && name.matches("[A-Za-z][A-Za-z0-9_]*"),
        Validatable.at(path, "name"),
        "must start with a letter and hold only letters, digits and '_', was \"" + name + "\"");
    if (type == TaskType.RETRIEVAL) {
      problems.require(
          source.isBlank() && column.isBlank(),
          Validatable.at(path, "column"),
          "a retrieval task has no label column: a record with both of "
              + between
              + " is a pair; leave source and column out");
      problems.require(
          between.size() == 2
              && RETRIEVABLE.containsAll(between)
              && !between.get(0).equals(between.get(1)),
          Validatable.at(path, "between"),
          "must be two different modalities of " + RETRIEVABLE + ", was " + between);
    } else {
      problems.require(
          source != null && !source.isBlank(), Validatable.at(path, "source"), "must not be empty");
      problems.require(
          column != null && !column.isBlank(), Validatable.at(path, "column"), "must not be empty");
    }
    problems.require(
        weight > 0 && Double.isFinite(weight),
        Validatable.at(path, "weight"),
        "must be > 0, was " + weight);
    problems.require(
        type != TaskType.MULTILABEL || separator == null || !separator.isEmpty(),
        Validatable.at(path, "separator"),
        "must not be empty for a multilabel task");
    String typeName = type == null ? "untyped" : type.name().toLowerCase(Locale.ROOT);
    problems.require(
        loss != Loss.HUBER || type == TaskType.REGRESSION,
        Validatable.at(path, "loss"),
        "huber applies to regression tasks only; " + name + " is " + typeName);
    problems.require(
        huberDelta > 0 && Double.isFinite(huberDelta),
        Validatable.at(path, "huberDelta"),
        "must be > 0, was " + huberDelta);
    problems.require(
        positive.isEmpty() || type == TaskType.BINARY,
        Validatable.at(path, "positive"),
        "applies to binary tasks only; " + name + " is " + typeName);
    problems.require(
        negative.isEmpty() || type == TaskType.BINARY,
        Validatable.at(path, "negative"),
        "applies to binary tasks only; " + name + " is " + typeName);
    problems.require(
        negative.isEmpty() || !positive.isEmpty(),
        Validatable.at(path, "negative"),
        "needs positive: with negative alone, which value is positive is unknown");
    problems.require(
        positive.isEmpty() || !positive.trim().equalsIgnoreCase(negative.trim()),
        Validatable.at(path, "negative"),
        "must differ from positive, both are \"" + positive + "\"");
    problems.require(
        minClassCount >= 0,
        Validatable.at(path, "minClassCount"),
        "must be >= 0, was " + minClassCount);
    problems.require(
        minClassCount == 0 || type == TaskType.MULTICLASS,
        Validatable.at(path, "minClassCount"),
        "applies to multiclass tasks only; " + name + " is " + typeName);
    problems.require(
        maxClasses == 0 || maxClasses >= 2,
        Validatable.at(path, "maxClasses"),
        "must be 0 (no limit) or >= 2 (a kept class and the other class), was " + maxClasses);
    problems.require(
        maxClasses == 0 || type == TaskType.MULTICLASS,
        Validatable.at(path, "maxClasses"),
        "applies to multiclass tasks only; " + name + " is " + typeName);
    problems.require(
        otherClass != null && !otherClass.isBlank(),
        Validatable.at(path, "otherClass"),
        "must not be empty");
    problems.require(
        transform == Transform.NONE || type == TaskType.REGRESSION,
        Validatable.at(path, "transform"),
        "applies to regression tasks only; " + name + " is " + typeName);
    if (!pattern.isEmpty()) {
      try {
        compiled();
      } catch (java.util.regex.PatternSyntaxException e) {
        problems.add(
            Validatable.at(path, "pattern"),
            "not a regular expression ("
                + e.getDescription()
                + " near index "
                + e.getIndex()
                + "): "
                + pattern);
      }
    }
    if (type == TaskType.ORDINAL) {
      problems.require(
          classes.size() >= 2,
          Validatable.at(path, "classes"),
          "an ordinal task lists its classes in order, lowest first (at least 2), was " + classes);
      problems.require(
          new HashSet<>(classes.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).toList())
                  .size()
              == classes.size(),
          Validatable.at(path, "classes"),
          "must be distinct (ignoring case), was " + classes);
    } else {
      problems.require(
          classes.isEmpty(),
          Validatable.at(path, "classes"),
          "applies to ordinal tasks only; " + name + " is " + typeName);
    }
  }
}
