package org.mtlspark.config;

import java.util.Map;

/**
 * One task: its type, where its label is (a column of one source), its loss weight lambda, for
 * multi-label tasks the separator of the labels in one cell (e.g. "Comedy|Drama"), and for
 * regression tasks the loss (MSE, or Huber with its delta, in standard deviations of the target).
 */
public record TaskConfig(String name, TaskType type, String source, String column, double weight, String separator,
    Loss loss, double huberDelta)
    implements Validatable {

  /** What kind of prediction a task makes; decides the head's activation, loss and metrics. */
  public enum TaskType { REGRESSION, MULTICLASS, BINARY, MULTILABEL }

  /** The loss of a regression head; the other types have one loss each. */
  public enum Loss { MSE, HUBER }

  /** Values for keys a task may leave out. */
  public static Map<String, Object> defaults() {
    return Map.of("weight", 1.0, "separator", "|", "loss", "mse", "huberDelta", 1.0);
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(name != null && name.matches("[A-Za-z][A-Za-z0-9_]*"), Validatable.at(path, "name"),
        "must start with a letter and hold only letters, digits and '_', was \"" + name + "\"");
    problems.require(source != null && !source.isBlank(), Validatable.at(path, "source"), "must not be empty");
    problems.require(column != null && !column.isBlank(), Validatable.at(path, "column"), "must not be empty");
    problems.require(weight > 0 && Double.isFinite(weight), Validatable.at(path, "weight"), "must be > 0, was " + weight);
    problems.require(type != TaskType.MULTILABEL || separator == null || !separator.isEmpty(), Validatable.at(path, "separator"),
        "must not be empty for a multilabel task");
    problems.require(loss != Loss.HUBER || type == TaskType.REGRESSION, Validatable.at(path, "loss"),
        "huber applies to regression tasks only; " + name + " is " + (type == null ? "untyped" : type.name().toLowerCase()));
    problems.require(huberDelta > 0 && Double.isFinite(huberDelta), Validatable.at(path, "huberDelta"),
        "must be > 0, was " + huberDelta);
  }
}
