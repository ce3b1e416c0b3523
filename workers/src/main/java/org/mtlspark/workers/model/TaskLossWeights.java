package org.mtlspark.workers.model;

import java.util.List;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossBinaryXENT;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * Reads and sets the task weights lambda that the task heads' losses carry (a weights row filled
 * with lambda scales a head's score and gradient). Setting changes the weights in place: the layer
 * and the graph configuration share them, so they are used by the next fit, saved with the model,
 * and sent with the configuration to workers.
 */
public final class TaskLossWeights {
  private TaskLossWeights() {}

  /** The weight of every task's head, in output (task) order; 1 for a loss without weights. */
  public static double[] read(ComputationGraph g) {
    List<String> outputs = g.getConfiguration().getNetworkOutputs();
    double[] out = new double[outputs.size()];
    for (int t = 0; t < out.length; t++) {
      INDArray w = weights(g, outputs.get(t));
      out[t] = w == null ? 1.0 : w.getDouble(0);
    }
    return out;
  }

  /** Sets the weight of the head of output {@code t} to {@code lambdas[t]}. */
  public static void apply(ComputationGraph g, double[] lambdas) {
    List<String> outputs = g.getConfiguration().getNetworkOutputs();
    if (outputs.size() != lambdas.length) {
      throw new IllegalArgumentException(
          lambdas.length + " task weights for " + outputs.size() + " outputs");
    }
    for (int t = 0; t < lambdas.length; t++) {
      INDArray w = weights(g, outputs.get(t));
      if (w != null) {
        w.assign(lambdas[t]);
      } else if (lambdas[t] != 1.0) {
        throw new IllegalStateException(
            "the head "
                + outputs.get(t)
                + " has a loss without weights ("
                + lossOf(g, outputs.get(t))
                + "); it cannot take the task weight "
                + lambdas[t]);
      }
    }
  }

  /** The weights row of a head's loss, or null when its loss has none (weight 1). */
  private static INDArray weights(ComputationGraph g, String name) {
    ILossFunction loss = lossOf(g, name);
    return loss instanceof LossL2 l2
        ? l2.getWeights()
        : loss instanceof LossMCXENT mc
            ? mc.getWeights()
            : loss instanceof LossBinaryXENT bx
                ? bx.getWeights()
                : loss instanceof LossHuber h
                    ? h.getWeights()
                    : loss instanceof LossInfoNce n ? n.getWeights() : null;
  }

  private static ILossFunction lossOf(ComputationGraph g, String name) {
    var layer = g.getLayer(name).conf().getLayer();
    return layer instanceof org.deeplearning4j.nn.conf.layers.LossLayer l
        ? l.getLossFn()
        : ((BaseOutputLayer) layer).getLossFn();
  }
}
