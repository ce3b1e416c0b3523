package org.mtlspark.bench.quality;

import java.io.Serializable;

/**
 * How the peer models are trained: the gradient-boosted trees' rounds, depth, learning rate and the
 * share of rows each tree sees, the linear models' L2 penalty and iterations, and how many of the
 * vocabulary's words (the most frequent first; 0: all) both see of a text.
 */
public record PeerSettings(
    int gbtMaxIter,
    int gbtMaxDepth,
    double gbtStepSize,
    double gbtSubsamplingRate,
    double linearRegParam,
    int linearMaxIter,
    int words)
    implements Serializable {

  public static final PeerSettings DEFAULTS = new PeerSettings(60, 5, 0.1, 0.8, 0.01, 100, 0);

  public PeerSettings {
    if (gbtMaxIter < 1 || gbtMaxDepth < 1 || linearMaxIter < 1) {
      throw new IllegalArgumentException("iterations and depth must be at least 1");
    }
    if (!(gbtStepSize > 0 && gbtStepSize <= 1)) {
      throw new IllegalArgumentException("the trees' step size must be in (0, 1]");
    }
    if (!(gbtSubsamplingRate > 0 && gbtSubsamplingRate <= 1)) {
      throw new IllegalArgumentException("the trees' subsampling rate must be in (0, 1]");
    }
    if (!(linearRegParam >= 0)) {
      throw new IllegalArgumentException("the linear models' L2 penalty must be at least 0");
    }
    if (words < 0) {
      throw new IllegalArgumentException("the peers' words must be at least 0 (0: all)");
    }
  }

  /** The settings of one peer, as the results file notes them. */
  public String describe(String peer) {
    String text =
        words == 0 ? "" : String.format("; text as counts of the %d most frequent words", words);
    return switch (peer) {
      case PeerModels.GBT ->
          String.format(
                  "gbt: Spark MLlib GBTRegressor (squared loss) / GBTClassifier (logistic loss), "
                      + "maxIter %d, maxDepth %d, stepSize %s, subsamplingRate %s, seed run.seed + i; "
                      + "multiclass one-vs-rest (probabilities normalized), multilabel one model per label, "
                      + "ordinal one model per cumulative target P(class > k)",
                  gbtMaxIter, gbtMaxDepth, gbtStepSize, gbtSubsamplingRate)
              + text;
      case PeerModels.LINEAR ->
          String.format(
                  "linear: Spark MLlib LinearRegression / LogisticRegression (binomial; multinomial for "
                      + "multiclass), L2 regParam %s on standardized features, maxIter %d; multilabel one "
                      + "model per label, ordinal one model per cumulative target P(class > k)",
                  linearRegParam, linearMaxIter)
              + text;
      default -> throw new IllegalArgumentException("unknown peer " + peer);
    };
  }
}
