package org.mtlspark.prep.source;

import java.util.List;

/**
 * One CSV record: the physical line it starts on (1-based), its cells, its text as it stands in the
 * file (cut when long), and what is wrong with its quoting, or null when nothing is. A record may
 * span several lines when a quoted cell holds line breaks; a malformed record still ends where the
 * quoting says it does, so no piece of it is ever read as a record of its own.
 */
public record CsvRecord(long line, List<String> cells, String raw, String problem) {
  public boolean isWellFormed() {
    return problem == null;
  }
}
