package org.mtlspark.prep.align;

import java.io.Serializable;
import org.mtlspark.prep.source.LabelValues;
import org.mtlspark.prep.source.TabularValues;

/**
 * One key with whatever each source had for it (null where a modality or the labels are absent),
 * and how many extra rows each source had for the same key (duplicates; the first row is kept).
 */
public record AlignedRecord(
    String key,
    TabularValues tabular,
    String text,
    byte[] image,
    LabelValues labels,
    int duplicates)
    implements Serializable {

  /** Why a record can or cannot become a training example. */
  public enum Status { USABLE, NO_LABEL_ROW, NO_LABELS, NO_MODALITY }

  public Status status() {
    if (labels == null) {
      return Status.NO_LABEL_ROW;
    }
    if (!labels.any()) {
      return Status.NO_LABELS;
    }
    if (tabular == null && text == null && image == null) {
      return Status.NO_MODALITY;
    }
    return Status.USABLE;
  }
}
