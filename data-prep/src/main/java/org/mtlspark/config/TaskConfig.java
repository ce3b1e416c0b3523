package org.mtlspark.config;

/** One task: a label column of the label source, its type and its loss weight lambda. */
public record TaskConfig(String name, TaskType type, String column, double weight) implements Validatable {

  /** What kind of prediction a task makes; decides the head's activation, loss and metrics. */
  public enum TaskType { REGRESSION, MULTICLASS, BINARY }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(name.matches("[A-Za-z][A-Za-z0-9_]*"), Validatable.at(path, "name"),
        "must start with a letter and hold only letters, digits and '_', was \"" + name + "\"");
    problems.require(!column.isBlank(), Validatable.at(path, "column"), "must not be empty");
    problems.require(weight > 0 && Double.isFinite(weight), Validatable.at(path, "weight"), "must be > 0, was " + weight);
  }
}
