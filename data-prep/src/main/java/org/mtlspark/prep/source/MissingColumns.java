package org.mtlspark.prep.source;

import java.util.Collection;
import java.util.List;
import org.mtlspark.config.Suggestions;

/** The words naming the configured columns a file lacks, each with the closest column it has. */
final class MissingColumns {
  private MissingColumns() {}

  /** {@code no column 'X' (did you mean 'Y'?)}, or {@code no columns 'X', 'Z' (did you mean 'W'?)}. */
  static String describe(List<String> missing, Collection<String> present) {
    List<String> named =
        missing.stream().map(c -> "'" + c + "'" + Suggestions.didYouMean(c, present)).toList();
    return (missing.size() == 1 ? "no column " : "no columns ") + String.join(", ", named);
  }
}
