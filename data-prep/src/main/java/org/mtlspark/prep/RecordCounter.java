package org.mtlspark.prep;

import java.io.Serializable;
import java.util.List;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.feature.FeaturizerFitter;
import org.mtlspark.prep.split.Split;
import org.mtlspark.prep.split.SplitOrder;

/**
 * Counts aligned records as they are cached, into a {@link RecordTally}: every record by its rows
 * and status; the records that become examples (see {@link AlignedSources.Mode#isExample}) by
 * modality, and when fitting, the training ones into the featurizers' statistics.
 */
record RecordCounter(
    RecordLayout layout,
    SplitOrder order,
    List<TaskConfig> tasks,
    int sources,
    AlignedSources.Mode mode)
    implements Serializable {

  RecordTally zero() {
    return new RecordTally(sources, mode.fits() ? FeaturizerFitter.tally(layout, tasks) : null);
  }

  void count(RecordTally t, AlignedRecord r) {
    t.countRecord(r);
    if (mode.isExample(r)) {
      t.countPresence(
          layout.tabularPresent(r),
          layout.text(r) != null,
          layout.image(r) != null,
          layout.idsPresent(r));
      if (t.fit() != null && order.split(r.key()) == Split.TRAIN) {
        t.fit().add(r, layout, tasks);
      }
    }
  }
}
