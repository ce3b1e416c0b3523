package org.mtlspark.prep.align;

import java.io.Serializable;
import org.mtlspark.prep.source.SourceValues;

/**
 * One record (one value of the record key) with the row each source had for it, by source index
 * in configuration order (null where a source has none), and whether it can become an example.
 */
public record AlignedRecord(String key, SourceValues[] sources, Status status, String droppedBy)
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
