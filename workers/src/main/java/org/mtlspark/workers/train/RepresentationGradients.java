package org.mtlspark.workers.train;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * Each task's gradient of its loss at the shared representation: the activations of the shared
 * vertices that the task's own layers read (for MGDA-UB, Sener and Koltun 2018). Only the task's
 * own part of the graph is differentiated, from the activations of the step's forward pass, so a
 * task costs a few small matrix products rather than a backward pass through the shared layers.
 *
 * <p>A task's own part may hold dense layers, merge vertices and its output layer (what hard
 * sharing builds: {@code model.taskHidden} layers, the wide part's merge, the head); every task
 * must read the same shared vertices. The task layers' dropout is left out: the gradient is that
 * of the network as evaluated, which only scales the weights' inputs, not which task dominates.
 */
final class RepresentationGradients {
  /** A vertex of one task's own part, in the order of a forward pass: a merge, or a layer. */
  private record Step(String name, List<String> inputs, boolean merge) {}

  private final ComputationGraph graph;

  /** The shared vertices every task reads, in name order. */
  private final List<String> representation;

  /** Per task, its own vertices in topological order. */
  private final List<List<Step>> parts;

  RepresentationGradients(ComputationGraph graph) {
    this.graph = graph;
    ComputationGraphConfiguration conf = graph.getConfiguration();
    List<String> outputs = conf.getNetworkOutputs();
    Map<String, Set<Integer>> reaches = StepBalancer.reaches(conf);
    List<String> order = new ArrayList<>();
    for (int i : graph.topologicalSortOrder()) {
      order.add(graph.getVertices()[i].getVertexName());
    }
    List<String> shared = null;
    this.parts = new ArrayList<>();
    for (int t = 0; t < outputs.size(); t++) {
      final int task = t;
      List<Step> own = new ArrayList<>();
      Set<String> boundary = new TreeSet<>();
      java.util.function.Predicate<String> owned =
          v ->
              reaches.getOrDefault(v, Set.of()).equals(Set.of(task))
                  && !conf.getNetworkInputs().contains(v);
      for (String v : order) {
        if (!owned.test(v)) {
          continue;
        }
        check(conf, v);
        List<String> in = conf.getVertexInputs().getOrDefault(v, List.of());
        own.add(new Step(v, in, conf.getVertices().get(v) instanceof MergeVertex));
        in.stream().filter(owned.negate()).forEach(boundary::add);
      }
      List<String> b = new ArrayList<>(boundary);
      if (shared == null) {
        shared = b;
      } else if (!shared.equals(b)) {
        throw new IllegalArgumentException(
            "mgda_ub needs one shared representation read by every task; task output "
                + outputs.get(t)
                + " reads "
                + b
                + ", task output "
                + outputs.get(0)
                + " reads "
                + shared
                + " (use model.sharing: hard)");
      }
      parts.add(own);
    }
    this.representation = shared == null ? List.of() : shared;
  }

  /**
   * Task {@code t}'s gradient at the representation, from the forward pass's {@code activations}
   * and the task's {@code labels} and label {@code mask} (null: every label counts); its loss
   * weighted as the head carries it. One row per example, the representation's vertices side by
   * side.
   */
  INDArray of(int t, Map<String, INDArray> activations, INDArray labels, INDArray mask) {
    Map<String, INDArray> out = new HashMap<>();
    Map<String, INDArray> pre = new HashMap<>();
    for (String v : representation) {
      out.put(v, activation(v, activations));
    }
    List<Step> own = parts.get(t);
    for (Step s : own) {
      INDArray x = input(s, out);
      if (s.merge()) {
        out.put(s.name(), x);
        continue;
      }
      Layer layer = graph.getLayer(s.name());
      INDArray z = x.mmul(layer.getParam("W")).addiRowVector(layer.getParam("b"));
      pre.put(s.name(), z);
      if (!(layer instanceof IOutputLayer)) {
        out.put(s.name(), activationFn(layer).getActivation(z.dup(), false));
      }
    }
    Map<String, INDArray> eps = new HashMap<>();
    for (int i = own.size() - 1; i >= 0; i--) {
      Step s = own.get(i);
      INDArray e;
      if (s.merge()) {
        e = eps.get(s.name());
      } else {
        Layer layer = graph.getLayer(s.name());
        INDArray delta;
        if (layer instanceof IOutputLayer) {
          ILossFunction loss = ((OutputLayer) layer.conf().getLayer()).getLossFn();
          delta = loss.computeGradient(labels, pre.get(s.name()), activationFn(layer), mask);
        } else {
          INDArray above = eps.get(s.name());
          if (above == null) {
            continue;
          }
          delta = activationFn(layer).backprop(pre.get(s.name()).dup(), above).getFirst();
        }
        e = delta.mmul(layer.getParam("W").transpose());
      }
      if (e == null) {
        continue;
      }
      long at = 0;
      for (String in : s.inputs()) {
        long width = out.get(in).size(1);
        INDArray part = e.get(NDArrayIndex.all(), NDArrayIndex.interval(at, at + width));
        eps.merge(in, part.dup(), INDArray::addi);
        at += width;
      }
    }
    List<INDArray> rows = new ArrayList<>();
    for (String v : representation) {
      INDArray e = eps.get(v);
      rows.add(e == null ? Nd4j.zerosLike(out.get(v)) : e);
    }
    return rows.size() == 1 ? rows.get(0) : Nd4j.hstack(rows.toArray(INDArray[]::new));
  }

  private INDArray input(Step s, Map<String, INDArray> out) {
    if (s.inputs().size() == 1) {
      return out.get(s.inputs().get(0));
    }
    return Nd4j.hstack(s.inputs().stream().map(out::get).toArray(INDArray[]::new));
  }

  private INDArray activation(String v, Map<String, INDArray> activations) {
    INDArray a = activations.get(v);
    if (a == null) {
      int i = graph.getConfiguration().getNetworkInputs().indexOf(v);
      a = i >= 0 ? graph.getInput(i) : null;
    }
    if (a == null) {
      throw new IllegalStateException("no activation of the shared vertex " + v + " this step");
    }
    return a;
  }

  private static IActivation activationFn(Layer layer) {
    return ((org.deeplearning4j.nn.conf.layers.BaseLayer) layer.conf().getLayer())
        .getActivationFn();
  }

  /** Refuses a vertex of a task's own part that {@link #of} cannot differentiate. */
  private static void check(ComputationGraphConfiguration conf, String v) {
    GraphVertex c = conf.getVertices().get(v);
    if (c instanceof MergeVertex) {
      return;
    }
    if (c instanceof LayerVertex lv
        && lv.getPreProcessor() == null
        && (lv.getLayerConf().getLayer() instanceof OutputLayer
            || (lv.getLayerConf().getLayer() instanceof DenseLayer d
                && d.hasBias()
                && !d.hasLayerNorm()))) {
      return;
    }
    throw new IllegalArgumentException(
        "mgda_ub differentiates the tasks' own dense layers, merges and output layers only; "
            + v
            + " is "
            + (c instanceof LayerVertex lv
                ? lv.getLayerConf().getLayer().getClass().getSimpleName()
                : c.getClass().getSimpleName())
            + " (use model.sharing: hard)");
  }
}
