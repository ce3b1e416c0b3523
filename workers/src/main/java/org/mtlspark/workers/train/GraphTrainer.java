package org.mtlspark.workers.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Trains a ComputationGraph with parameter averaging on Spark over stored batch files. */
public interface GraphTrainer {

  /** Called after each epoch with its index (from 0), the averaged graph and the mean training score. */
  interface EpochListener {
    /** Returns false to stop training after this epoch. */
    boolean epochDone(int epoch, ComputationGraph graph, double score) throws java.io.IOException;
  }

  /**
   * Trains {@code graph} from epoch {@code startEpoch} (0 for a new run; later when resuming a
   * checkpoint) to the configured epochs over {@code batchPaths}; returns the trained graph.
   *
   * @throws TrainingDivergedException when the training score becomes NaN or infinite
   */
  ComputationGraph fit(
      ComputationGraph graph, List<String> batchPaths, int startEpoch, EpochListener listener);

  /** A new run: from epoch 0. */
  default ComputationGraph fit(
      ComputationGraph graph, List<String> batchPaths, EpochListener listener) {
    return fit(graph, batchPaths, 0, listener);
  }

  /** Runs the listener; its I/O failure (a checkpoint that cannot be written) ends training. */
  static boolean afterEpoch(
      EpochListener listener, int epoch, ComputationGraph graph, double score) {
    try {
      return listener == null || listener.epochDone(epoch, graph, score);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(
          "after epoch " + (epoch + 1) + ": " + e.getMessage(), e);
    }
  }
}
