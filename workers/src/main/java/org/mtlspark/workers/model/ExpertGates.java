package org.mtlspark.workers.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Which experts each task uses: the mean of every gate over some examples, per layer of experts
 * ({@code model.sharing: mmoe} or {@code ple}).
 */
public final class ExpertGates {
  private ExpertGates() {}

  /** The layers of experts of {@code graph}, from the input up. */
  public static List<String> layers(ComputationGraph graph) {
    List<String> names = new ArrayList<>();
    for (int i : graph.topologicalSortOrder()) {
      var vertex = graph.getVertices()[i];
      if (vertex.hasLayer() && vertex.getLayer().conf().getLayer() instanceof MixtureOfExperts) {
        names.add(vertex.getVertexName());
      }
    }
    return names;
  }

  /** A layer's configuration. */
  public static MixtureOfExperts conf(ComputationGraph graph, String layer) {
    return (MixtureOfExperts) graph.getLayer(layer).conf().getLayer();
  }

  /**
   * The mean of each gate over the examples of {@code batches}, per layer of experts in input
   * order: [gate][entry], each row summing to 1. The gates are each task's, then (below the last
   * level of {@code ple}) the shared one; a task gate's entries are its own experts, then the
   * shared ones ({@link MixtureOfExperts#gateExpert}). Empty when the network has no experts or
   * no batch is given.
   */
  public static Map<String, double[][]> mean(
      ComputationGraph graph, List<? extends MultiDataSet> batches) {
    Map<String, double[][]> out = new LinkedHashMap<>();
    List<String> layers = layers(graph);
    if (layers.isEmpty() || batches.isEmpty()) {
      return out;
    }
    Map<String, long[]> rows = new LinkedHashMap<>();
    for (String name : layers) {
      MixtureOfExperts conf = conf(graph, name);
      double[][] sums = new double[MixtureOfExpertsLayer.gateCount(conf)][];
      for (int k = 0; k < sums.length; k++) {
        sums[k] = new double[MixtureOfExpertsLayer.gateLength(conf, k)];
      }
      out.put(name, sums);
      rows.put(name, new long[1]);
    }
    for (MultiDataSet batch : batches) {
      graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
      try {
        Map<String, INDArray> acts = graph.feedForward(batch.getFeatures(), false);
        for (String name : layers) {
          var layer = graph.getLayer(name);
          MixtureOfExperts conf = conf(graph, name);
          String below = graph.getConfiguration().getVertexInputs().get(name).get(0);
          Map<String, INDArray> params = layer.paramTable();
          INDArray x = acts.get(below).castTo(params.get(MixtureOfExperts.GATE_WEIGHTS).dataType());
          INDArray[] g = MixtureOfExpertsLayer.gates(conf, params, x);
          double[][] sums = out.get(name);
          for (int k = 0; k < g.length; k++) {
            INDArray totals = g[k].sum(0);
            for (int j = 0; j < sums[k].length; j++) {
              sums[k][j] += totals.getDouble(j);
            }
          }
          rows.get(name)[0] += x.size(0);
        }
      } finally {
        graph.clearLayerMaskArrays();
      }
    }
    for (String name : layers) {
      long n = Math.max(1, rows.get(name)[0]);
      for (double[] gate : out.get(name)) {
        for (int j = 0; j < gate.length; j++) {
          gate[j] /= n;
        }
      }
    }
    return out;
  }
}
