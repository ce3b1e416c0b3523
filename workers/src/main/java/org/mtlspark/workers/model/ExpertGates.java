package org.mtlspark.workers.model;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Which experts each task uses: the mean of every task's gate over some examples, for a network
 * built with {@code model.sharing: mmoe}.
 */
public final class ExpertGates {
  private ExpertGates() {}

  /**
   * The mean gate of each task over the examples of {@code batches}: [task][expert], each row
   * summing to 1; null when the network has no layer of experts or no batch is given.
   */
  public static double[][] mean(ComputationGraph graph, List<? extends MultiDataSet> batches) {
    if (graph.getVertex(GraphBuilder.EXPERTS) == null || batches.isEmpty()) {
      return null;
    }
    org.deeplearning4j.nn.api.Layer layer = graph.getLayer(GraphBuilder.EXPERTS);
    MixtureOfExperts conf = (MixtureOfExperts) layer.conf().getLayer();
    String below = graph.getConfiguration().getVertexInputs().get(GraphBuilder.EXPERTS).get(0);
    double[][] sum = new double[conf.tasks()][conf.experts()];
    long rows = 0;
    for (MultiDataSet batch : batches) {
      graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
      try {
        INDArray x = graph.feedForward(batch.getFeatures(), false).get(below);
        INDArray g =
            MixtureOfExpertsLayer.gates(
                conf,
                layer.getParam(MixtureOfExperts.GATE_WEIGHTS),
                layer.getParam(MixtureOfExperts.GATE_BIAS),
                x.castTo(layer.getParam(MixtureOfExperts.GATE_WEIGHTS).dataType()));
        INDArray totals = g.sum(0);
        for (int t = 0; t < conf.tasks(); t++) {
          for (int e = 0; e < conf.experts(); e++) {
            sum[t][e] += totals.getDouble((long) t * conf.experts() + e);
          }
        }
        rows += x.size(0);
      } finally {
        graph.clearLayerMaskArrays();
      }
    }
    for (double[] task : sum) {
      for (int e = 0; e < task.length; e++) {
        task[e] /= Math.max(1, rows);
      }
    }
    return sum;
  }
}
