package org.mtlspark.prep;

import java.io.Serializable;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.feature.ModelInputs;

/**
 * What the aligning pass counts over some partitions of the aligned records (see {@link
 * RecordCounter}): per source the rows repeating a key and the keys whose rows differ, records by
 * status, the examples with each modality; when fitting, the featurizers' statistics over the
 * training examples. Summed across partitions by a {@link org.mtlspark.prep.io.PartitionTallies}.
 */
final class RecordTally implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long[] duplicates;
  private final long[] differingKeys;
  private final long[] byStatus = new long[AlignedRecord.Status.values().length];
  private long tabular;
  private long text;
  private long image;
  private long ids;
  private final FeaturizerFitter.Tally fit;

  /** An empty tally of {@code sources} sources; {@code fit} is null unless fitting. */
  RecordTally(int sources, FeaturizerFitter.Tally fit) {
    this.duplicates = new long[sources];
    this.differingKeys = new long[sources];
    this.fit = fit;
  }

  /** Counts a record: its rows of each source, and its status. */
  void countRecord(AlignedRecord r) {
    int sources = duplicates.length;
    for (int s = 0; s < sources; s++) {
      duplicates[s] += Math.max(0, r.rowCounts()[s] - 1);
      differingKeys[s] += r.rowCounts()[sources + s];
    }
    byStatus[r.status().ordinal()]++;
  }

  /** Counts the modalities of a record that becomes an example. */
  void countPresence(boolean hasTabular, boolean hasText, boolean hasImage, boolean hasIds) {
    ids += hasIds ? 1 : 0;
    tabular += hasTabular ? 1 : 0;
    text += hasText ? 1 : 0;
    image += hasImage ? 1 : 0;
  }

  /** The rows of a source that repeat a key of the source, past the first row of each key. */
  long duplicates(int source) {
    return duplicates[source];
  }

  /** The keys of a source whose rows differ in their values. */
  long differingKeys(int source) {
    return differingKeys[source];
  }

  long records(AlignedRecord.Status status) {
    return byStatus[status.ordinal()];
  }

  /** The examples with a modality, one of {@link ModelInputs#MODALITIES}. */
  long present(String modality) {
    return switch (modality) {
      case ModelInputs.TABULAR -> tabular;
      case ModelInputs.TEXT -> text;
      case ModelInputs.IMAGE -> image;
      case ModelInputs.IDS -> ids;
      default -> throw new IllegalArgumentException("no modality " + modality);
    };
  }

  /** The featurizers' statistics over the training examples; null unless fitting. */
  FeaturizerFitter.Tally fit() {
    return fit;
  }

  /** Adds {@code o} to this tally and returns it. */
  RecordTally plus(RecordTally o) {
    for (int s = 0; s < duplicates.length; s++) {
      duplicates[s] += o.duplicates[s];
      differingKeys[s] += o.differingKeys[s];
    }
    for (int i = 0; i < byStatus.length; i++) {
      byStatus[i] += o.byStatus[i];
    }
    tabular += o.tabular;
    text += o.text;
    image += o.image;
    ids += o.ids;
    if (fit != null) {
      fit.plus(o.fit);
    }
    return this;
  }
}
