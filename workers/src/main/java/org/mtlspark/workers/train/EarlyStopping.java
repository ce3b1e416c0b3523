package org.mtlspark.workers.train;

/**
 * Tracks the best validation objective (higher is better) and says when to stop: after
 * {@code patience} epochs without a strictly better objective; never when patience is 0.
 */
final class EarlyStopping {
  private final int patience;
  private double best;
  private int bestEpoch;

  EarlyStopping(int patience, double best, int bestEpoch) {
    this.patience = patience;
    this.best = best;
    this.bestEpoch = bestEpoch;
  }

  /** Records an epoch's objective; true when it is the best so far. */
  boolean record(int epoch, double objective) {
    if (objective > best) {
      best = objective;
      bestEpoch = epoch;
      return true;
    }
    return false;
  }

  boolean shouldStop(int epoch) {
    return patience > 0 && bestEpoch >= 0 && epoch - bestEpoch >= patience;
  }

  double best() {
    return best;
  }

  int bestEpoch() {
    return bestEpoch;
  }
}
