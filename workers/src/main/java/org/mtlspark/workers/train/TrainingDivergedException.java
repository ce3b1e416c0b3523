package org.mtlspark.workers.train;

/** The training score became NaN or infinite: training stopped, nothing after the last good epoch is kept. */
public final class TrainingDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int epoch;

  public TrainingDivergedException(int epoch, String where, double score) {
    super(
        String.format(
            "training diverged in epoch %d (%s): the score is %s; lower train.learningRate or check "
                + "the data for extreme values",
            epoch + 1, where, score));
    this.epoch = epoch;
  }

  /** The epoch (from 0) in which the score stopped being finite. */
  public int epoch() {
    return epoch;
  }

  static void check(double score, int epoch, String where) {
    if (!Double.isFinite(score)) {
      throw new TrainingDivergedException(epoch, where, score);
    }
  }
}
