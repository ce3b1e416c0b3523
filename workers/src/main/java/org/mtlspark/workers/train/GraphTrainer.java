package org.mtlspark.workers.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;

/** Trains a ComputationGraph with parameter averaging on Spark over stored batch files. */
public interface GraphTrainer {

  /** Called after each epoch with its index (from 0), the averaged graph and the mean training score. */
  interface EpochListener {
    void epochDone(int epoch, ComputationGraph graph, double score);
  }

  /** Trains {@code graph} for the configured epochs over {@code batchPaths}; returns the trained graph. */
  ComputationGraph fit(ComputationGraph graph, List<String> batchPaths, EpochListener listener);
}
