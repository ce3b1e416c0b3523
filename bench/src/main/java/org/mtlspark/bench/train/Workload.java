package org.mtlspark.bench.train;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * A training workload: a network, its training batch files (every phase reads them itself) and
 * held-out batches to measure the final per-task quality; {@code peerRows}, where the PyTorch peer
 * can train the same workload, the folder of the rows it reads ({@code train.f32}, {@code
 * holdout.f32}), else null.
 */
public record Workload(
    String name,
    String description,
    NetworkFactory network,
    List<String> trainFiles,
    List<MultiDataSet> holdout,
    List<TaskEncoding> tasks,
    int batchSize,
    String peerRows) {

  /** Builds a fresh network; the same seed gives the same initial parameters. */
  public interface NetworkFactory {
    ComputationGraph create(long seed);
  }

  public long trainExamples() {
    return (long) trainFiles.size() * batchSize;
  }
}
