package org.mtlspark.workers.train;

import java.util.List;
import java.util.Map;
import org.mtlspark.config.TrainConfig;

/**
 * Chooses the epoch kept as the final model from the validation objectives (higher is better) and
 * says when to stop. An epoch is kept when its objective is strictly better than every earlier
 * one, or, with a {@code tolerance} above 0, when it is within {@code tolerance} of the best so
 * far: a later epoch that is as good within the noise of the validation split wins over an earlier
 * one. Training stops after {@code patience} epochs without an epoch kept; never when patience is
 * 0.
 */
final class EarlyStopping {
  private final int patience;
  private final double tolerance;
  private double peak;
  private double kept;
  private int keptEpoch;

  EarlyStopping(int patience, double tolerance, double peak, double kept, int keptEpoch) {
    this.patience = patience;
    this.tolerance = tolerance;
    this.peak = peak;
    this.kept = kept;
    this.keptEpoch = keptEpoch;
  }

  /** Before the first epoch. */
  static EarlyStopping fresh(TrainConfig train) {
    return new EarlyStopping(
        train.patience(),
        train.selectionTolerance(),
        Double.NEGATIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        -1);
  }

  /**
   * A run resumed from a checkpoint that kept epoch {@code keptEpoch} (objective {@code kept});
   * the best objective so far is read back from the epochs' history.
   */
  static EarlyStopping resumed(
      TrainConfig train, double kept, int keptEpoch, List<Map<String, Object>> history) {
    double peak = kept;
    for (Map<String, Object> epoch : history) {
      if (epoch.get("validationObjective") instanceof Number n) {
        peak = Math.max(peak, n.doubleValue());
      }
    }
    return new EarlyStopping(train.patience(), train.selectionTolerance(), peak, kept, keptEpoch);
  }

  /** Records an epoch's objective; true when the epoch is now the one kept. */
  boolean record(int epoch, double objective) {
    boolean better = objective > peak;
    peak = Math.max(peak, objective);
    if (better || (tolerance > 0 && objective >= peak - tolerance)) {
      kept = objective;
      keptEpoch = epoch;
      return true;
    }
    return false;
  }

  boolean shouldStop(int epoch) {
    return patience > 0 && keptEpoch >= 0 && epoch - keptEpoch >= patience;
  }

  /** The objective of the epoch kept. */
  double best() {
    return kept;
  }

  /** The epoch kept (0-based); -1 before any. */
  int bestEpoch() {
    return keptEpoch;
  }

  /** The best objective of any epoch so far. */
  double peak() {
    return peak;
  }
}
