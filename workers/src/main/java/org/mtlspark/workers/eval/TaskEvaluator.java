package org.mtlspark.workers.eval;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.MissingModality;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.workers.run.ModelFiles;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Evaluates every task (dl4j-spark's own evaluation only looks at output 0): the model is
 * broadcast, each Spark task scores its batch files and keeps mergeable statistics per task, and
 * the driver merges them into {@link TaskMetrics}.
 */
public final class TaskEvaluator {
  private TaskEvaluator() {}

  public static List<TaskMetrics> evaluate(
      JavaSparkContext jsc,
      ComputationGraph graph,
      List<TaskEncoding> tasks,
      List<String> batchPaths,
      int partitions) {
    return evaluate(jsc, graph, tasks, batchPaths, partitions, null, null);
  }

  /**
   * As {@link #evaluate(JavaSparkContext, ComputationGraph, List, List, int)}, with {@code removed}
   * (unless null) made missing in every example, as prep encodes a record without it.
   */
  public static List<TaskMetrics> evaluate(
      JavaSparkContext jsc,
      ComputationGraph graph,
      List<TaskEncoding> tasks,
      List<String> batchPaths,
      int partitions,
      FeaturizerState state,
      String removed) {
    return evaluate(jsc, graph, tasks, batchPaths, partitions, state, removed, null);
  }

  /**
   * As {@link #evaluate(JavaSparkContext, ComputationGraph, List, List, int, FeaturizerState,
   * String)}, a caption task's captions also compared with those of the nearest training images
   * in {@code neighbours} (its baseline; without them, the empty caption: 0).
   */
  public static List<TaskMetrics> evaluate(
      JavaSparkContext jsc,
      ComputationGraph graph,
      List<TaskEncoding> tasks,
      List<String> batchPaths,
      int partitions,
      FeaturizerState state,
      String removed,
      CaptionNeighbours neighbours) {
    if (batchPaths.isEmpty()) {
      throw new IllegalArgumentException("no batches to evaluate");
    }
    Broadcast<byte[]> model = jsc.broadcast(ModelFiles.forScoring(graph));
    Broadcast<CaptionNeighbours> nearest = neighbours == null ? null : jsc.broadcast(neighbours);
    SerializableConf conf = new SerializableConf(jsc.hadoopConfiguration());
    List<TaskAccumulator> merged =
        jsc.parallelize(batchPaths, Math.max(1, Math.min(partitions, batchPaths.size())))
            .mapPartitions(
                paths -> {
                  ComputationGraph local =
                      ModelFiles.restore(model.value(), "broadcast for evaluation", false);
                  List<TaskAccumulator> acc = tasks.stream().map(TaskAccumulator::new).toList();
                  while (paths.hasNext()) {
                    MultiDataSet batch = BatchFiles.read(conf.get(), paths.next());
                    if (removed != null) {
                      MissingModality.removeAll(batch, state, removed);
                    }
                    score(local, batch, acc, nearest == null ? null : nearest.value());
                  }
                  List<List<TaskAccumulator>> out = new ArrayList<>();
                  out.add(acc);
                  return out.iterator();
                })
            .reduce(
                (a, b) -> {
                  for (int i = 0; i < a.size(); i++) {
                    a.get(i).merge(b.get(i));
                  }
                  return a;
                });
    model.destroy();
    if (nearest != null) {
      nearest.destroy();
    }
    return merged.stream().map(TaskMetrics::of).toList();
  }

  /** Adds one batch's predictions to the accumulators (also used without Spark). */
  public static void score(ComputationGraph graph, MultiDataSet batch, List<TaskAccumulator> acc) {
    score(graph, batch, acc, null);
  }

  /**
   * As {@link #score(ComputationGraph, MultiDataSet, List)}; a caption task writes its captions
   * greedily, word by word, and {@code neighbours} (unless null) gives its baseline's.
   */
  public static void score(
      ComputationGraph graph,
      MultiDataSet batch,
      List<TaskAccumulator> acc,
      CaptionNeighbours neighbours) {
    INDArray[] out =
        graph.output(
            false, batch.getFeatures(), batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
    int text = graph.getConfiguration().getNetworkInputs().indexOf(ModelInputs.TEXT);
    for (int t = 0; t < acc.size(); t++) {
      if (acc.get(t).task.retrieval()) {
        org.deeplearning4j.nn.conf.layers.LossLayer head =
            (org.deeplearning4j.nn.conf.layers.LossLayer) graph.getOutputLayer(t).conf().getLayer();
        double temperature =
            ((org.mtlspark.workers.model.LossInfoNce) head.getLossFn()).getTemperature();
        INDArray rowLoss =
            new org.mtlspark.workers.model.LossInfoNce(temperature, Nd4j.ones(1, 1))
                .computeScoreArray(
                    null,
                    out[t],
                    new org.nd4j.linalg.activations.impl.ActivationIdentity(),
                    batch.getLabelsMaskArray(t));
        acc.get(t).addPairs(out[t], batch.getLabelsMaskArray(t), rowLoss);
      } else if (acc.get(t).task.caption()) {
        if (batch.getLabelsMaskArray(t).sumNumber().doubleValue() == 0) {
          continue; // no caption to write against (e.g. the text removed)
        }
        int[][] written =
            CaptionDecoder.greedy(graph, batch.getFeatures(), batch.getFeaturesMaskArrays(), t);
        int[][] nearest =
            neighbours == null || neighbours.task() != t
                ? null
                : neighbours.nearest(
                    batch.getFeatures(
                        graph.getConfiguration().getNetworkInputs().indexOf(ModelInputs.IMAGE)));
        acc.get(t)
            .addCaptions(out[t], batch.getLabels(t), batch.getLabelsMaskArray(t), written, nearest);
      } else if (acc.get(t).task.perToken()) {
        acc.get(t)
            .addTokens(
                out[t], batch.getLabels(t), batch.getLabelsMaskArray(t), batch.getFeatures(text));
      } else {
        acc.get(t).add(out[t], batch.getLabels(t), batch.getLabelsMaskArray(t));
      }
    }
  }
}
