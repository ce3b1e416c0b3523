package org.mtlspark.prep.source;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mtlspark.config.TaskConfig;

/** CSV with a header: the key and one column per task. An empty cell (or the null token) is a missing label. */
public final class LabelFormat extends CsvFormat<LabelValues> {
  private static final long serialVersionUID = 1L;
  public static final String SOURCE = "labels";

  private final List<TaskConfig> tasks;

  public LabelFormat(String key, List<TaskConfig> tasks, String nullToken) {
    super(SOURCE, key, nullToken);
    this.tasks = List.copyOf(tasks);
  }

  @Override
  RowParser<LabelValues> rows(String file, CsvHeader header) {
    int[] at = tasks.stream().mapToInt(t -> header.position(t.column())).toArray();
    return (line, k, cells, text) -> {
      String[] values = new String[at.length];
      for (int i = 0; i < at.length; i++) {
        String cell = cells.get(at[i]).trim();
        if (isNull(cell)) {
          continue;
        }
        TaskConfig task = tasks.get(i);
        String normalized = normalize(task.type(), cell);
        if (normalized == null) {
          return ParsedRow.rejected(new Reject(SOURCE, file, line, k, task.column(),
              invalidReason(task.type()) + ": \"" + cell + "\"", text));
        }
        values[i] = normalized;
      }
      return ParsedRow.ok(k, file, line, new LabelValues(values));
    };
  }

  /** The cell as the task's canonical label, or null when it is not a valid label of that type. */
  static String normalize(TaskConfig.TaskType type, String cell) {
    switch (type) {
      case REGRESSION:
        try {
          double v = Double.parseDouble(cell);
          return Double.isFinite(v) ? Double.toString(v) : null;
        } catch (NumberFormatException e) {
          return null;
        }
      case BINARY:
        String c = cell.toLowerCase(Locale.ROOT);
        if (c.equals("1") || c.equals("true") || c.equals("1.0")) {
          return "1";
        }
        if (c.equals("0") || c.equals("false") || c.equals("0.0")) {
          return "0";
        }
        return null;
      default:
        return cell;
    }
  }

  private static String invalidReason(TaskConfig.TaskType type) {
    return type == TaskConfig.TaskType.REGRESSION ? "not a finite number" : "not a binary label (0/1, true/false)";
  }

  @Override
  public List<String> requiredColumns() {
    List<String> all = new ArrayList<>();
    all.add(key);
    tasks.forEach(t -> all.add(t.column()));
    return all;
  }
}
