package org.mtlspark.prep;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Accepted and rejected rows per source, and rejects by reason, of some partitions of the sources:
 * what {@link AcceptedRows} counts, summed across partitions by a {@link
 * org.mtlspark.prep.io.PartitionTallies}.
 */
final class RowTally implements Serializable {
  private static final long serialVersionUID = 1L;
  private final long[] accepted;
  private final long[] rejected;
  private final Map<String, Long> byReason = new HashMap<>();

  RowTally(int sources) {
    accepted = new long[sources];
    rejected = new long[sources];
  }

  /** The number under which a partition of a source's rows is tallied. */
  static long partition(int source, int partition) {
    return ((long) source << 32) | partition;
  }

  void accept(int source) {
    accepted[source]++;
  }

  void reject(int source, String reason) {
    rejected[source]++;
    byReason.merge(reason, 1L, Long::sum);
  }

  long accepted(int source) {
    return accepted[source];
  }

  long rejected(int source) {
    return rejected[source];
  }

  /** Rejected rows by reason (a reject's category), of all sources. */
  Map<String, Long> byReason() {
    return Map.copyOf(byReason);
  }

  /** Adds {@code o} to this tally and returns it. */
  RowTally plus(RowTally o) {
    for (int s = 0; s < accepted.length; s++) {
      accepted[s] += o.accepted[s];
      rejected[s] += o.rejected[s];
    }
    o.byReason.forEach((k, v) -> byReason.merge(k, v, Long::sum));
    return this;
  }
}
