package org.mtlspark.prep.feature;

import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToLongFunction;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.source.PrepException;

/**
 * The classes of a multiclass task after its rare training classes are merged into its other
 * class: a class is rare when it has fewer than {@code minClassCount} training rows, or when it is
 * not among the {@code maxClasses - 1} most frequent (ties: the first by name). The kept classes and
 * the other class are sorted by name; the other class's count is the rows of the merged classes
 * (plus its own, when the data has a class of that name that is kept).
 *
 * @param classes the classes the task is trained on, sorted
 * @param counts the training rows of each class
 * @param merged the training values merged into the other class, sorted (empty: nothing merged)
 * @param mergedRows the training rows those values held
 */
public record ClassMerge(
    List<String> classes, List<Long> counts, List<String> merged, long mergedRows) {

  /**
   * Merges the rare classes of {@code task}.
   *
   * @param byFrequency the training values, most frequent first (ties by name)
   * @param count the training rows of a value
   */
  public static ClassMerge of(
      TaskConfig task, List<String> byFrequency, ToLongFunction<String> count) {
    int keep =
        task.maxClasses() > 0 && byFrequency.size() > task.maxClasses()
            ? task.maxClasses() - 1
            : byFrequency.size();
    TreeMap<String, Long> kept = new TreeMap<>();
    TreeSet<String> merged = new TreeSet<>();
    long mergedRows = 0;
    for (int i = 0; i < byFrequency.size(); i++) {
      String c = byFrequency.get(i);
      long n = count.applyAsLong(c);
      if (i < keep && n >= task.minClassCount() && !c.equals(task.otherClass())) {
        kept.put(c, n);
      } else {
        merged.add(c);
        mergedRows += n;
      }
    }
    if (merged.size() == 1 && merged.first().equals(task.otherClass())) {
      kept.put(task.otherClass(), mergedRows); // only the other class itself: nothing merged
      return new ClassMerge(List.copyOf(kept.keySet()), List.copyOf(kept.values()), List.of(), 0);
    }
    if (!merged.isEmpty()) {
      if (kept.isEmpty()) {
        throw new PrepException(
            "task "
                + task.name()
                + ": every training class has fewer than "
                + task.minClassCount()
                + " rows (minClassCount), nothing would be left but "
                + task.otherClass());
      }
      kept.put(task.otherClass(), mergedRows);
    }
    return new ClassMerge(
        List.copyOf(kept.keySet()), List.copyOf(kept.values()), List.copyOf(merged), mergedRows);
  }
}
