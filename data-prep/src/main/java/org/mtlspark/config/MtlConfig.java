package org.mtlspark.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole configuration of a run; {@code conf/defaults.yaml} documents every key. */
public record MtlConfig(
    RunConfig run,
    DataConfig data,
    PrepConfig prep,
    ModelConfig model,
    List<TaskConfig> tasks,
    TrainConfig train,
    GenerateConfig generate)
    implements Validatable {

  @Override
  public void validate(String path, Problems problems) {
    problems.require(!tasks.isEmpty(), "tasks", "at least one task is required");
    checkObjective(problems);
    Set<String> names = new HashSet<>();
    Set<String> columns = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskConfig t = tasks.get(i);
      problems.require(names.add(t.name()), "tasks[" + i + "].name", "duplicate task name \"" + t.name() + "\"");
      problems.require(columns.add(t.column()), "tasks[" + i + "].column",
          "column \"" + t.column() + "\" is already the label of another task");
    }
  }

  private void checkObjective(Problems problems) {
    Set<String> known = new HashSet<>();
    tasks.forEach(t -> known.add(t.name()));
    for (String task : train.objectiveWeights().keySet()) {
      problems.require(known.contains(task), "train.objectiveWeights." + task, "no task named \"" + task
          + "\" (tasks: " + String.join(", ", known) + ")");
    }
  }

  /** The task with this name. */
  public TaskConfig task(String name) {
    return tasks.stream().filter(t -> t.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no task named " + name));
  }
}
