package org.mtlspark.config;

import java.util.Map;

/**
 * One task: its type, where its label is (a column of one source), its loss weight lambda, and for
 * multi-label tasks the separator of the labels in one cell (e.g. "Comedy|Drama").
 */
public record TaskConfig(String name, TaskType type, String source, String column, double weight, String separator)
    implements Validatable {

  /** What kind of prediction a task makes; decides the head's activation, loss and metrics. */
  public enum TaskType { REGRESSION, MULTICLASS, BINARY, MULTILABEL }

  /** Values for keys a task may leave out. */
  public static Map<String, Object> defaults() {
    return Map.of("weight", 1.0, "separator", "|");
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
  }
}
