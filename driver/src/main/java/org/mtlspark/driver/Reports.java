package org.mtlspark.driver;

import java.util.Map;
import org.mtlspark.prep.manifest.Manifest;

/** Plain-text summaries printed by the commands. */
final class Reports {
  private Reports() {}

  static String prepSummary(Manifest m) {
    StringBuilder sb = new StringBuilder("Prepared data:\n");
    sb.append(String.format("  %-8s %7s %9s %9s%n", "source", "rows", "accepted", "rejected"));
    for (Map.Entry<String, Manifest.SourceCount> e : m.counts().sources().entrySet()) {
      Manifest.SourceCount c = e.getValue();
      sb.append(String.format("  %-8s %7d %9d %9d%n", e.getKey(), c.rows(), c.accepted(), c.rejected()));
    }
    sb.append("  records by key: ").append(m.counts().records()).append(' ').append(m.counts().recordStatus())
        .append(", duplicate rows: ").append(m.counts().duplicateRows()).append('\n');
    sb.append("  modality present in usable records: ").append(m.counts().modalityPresent()).append('\n');
    for (Map.Entry<String, Manifest.SplitSummary> e : m.splits().entrySet()) {
      Manifest.SplitSummary s = e.getValue();
      sb.append(String.format("  %-10s %6d examples, %4d batches, labelled per task %s%n", e.getKey(),
          s.examples(), s.batches(), s.labelled()));
    }
    if (!m.counts().rejectsByReason().isEmpty()) {
      sb.append("  rejects by reason:\n");
      m.counts().rejectsByReason().forEach((k, v) -> sb.append(String.format("    %5d  %s%n", v, k)));
    }
    return sb.toString();
  }
}
