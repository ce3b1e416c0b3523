package org.mtlspark.prep.align;

import java.io.Serializable;
import org.mtlspark.prep.source.SourceValues;

/**
 * One record (one value of the record key) with the row each source had for it, by source index
 * in configuration order (null where a source has none), whether it can become an example, and
 * for each source keyed by the whole key how many of its accepted rows had this key (1 or more
 * where it has one; the rest are duplicates): {@code rowCounts[s]}; then, at {@code rowCounts[n + s]}
 * for n sources, 1 when the policy is {@code first} and those rows differ in their values (so that
 * it chose between different data), else 0.
 */
public record AlignedRecord(
    String key, SourceValues[] sources, Status status, String droppedBy, int[] rowCounts)
    implements Serializable {

  /** Why a record can or cannot become a training example. */
  public enum Status {
    USABLE,
    /** No task has a label for it. */
    NO_LABELS,
    /** No source with features has a row for it. */
    NO_MODALITY,
    /** A source with {@code missing: drop} has no row for it ({@link #droppedBy} names it). */
    MISSING_REQUIRED_SOURCE
  }

  public SourceValues source(int i) {
    return sources[i];
  }
}
