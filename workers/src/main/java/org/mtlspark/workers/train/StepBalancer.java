package org.mtlspark.workers.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.mtlspark.config.TrainConfig.Weighting;
import org.mtlspark.workers.model.TaskLossWeights;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Task balancing at every step of one worker, hooked between DL4J's gradient and its update
 * ({@link BaseTrainingListener#onGradientCalculation}), so that the updater, gradient
 * normalisation and regularisation are DL4J's own:
 *
 * <ul>
 *   <li>{@code uncertainty} (Kendall et al., CVPR 2018): a log-variance s_k per task, the loss
 *       sum_k exp(-s_k) L_k + s_k; each step the heads' weights are base_k exp(-s_k) and s_k moves
 *       by plain gradient descent, d/ds_k = 1 - exp(-s_k) L_k (optimum s_k = log L_k).
 *   <li>{@code gradnorm}, {@code pcgrad}, {@code mgda}: each task's own gradient (one backward pass
 *       per task but the last, which is the whole step's gradient minus the others; every pass
 *       draws the same dropout), combined on the shared parameters by {@link TaskGradients}. The
 *       task-specific parameters (of layers that feed one task's output only) keep their task's
 *       gradient. MGDA's weights sum to the task count, so that equal weights give the plain sum;
 *       a task with no label in the batch (a zero gradient) is left out of them. GradNorm's norms
 *       are per example (DL4J's gradient is summed over the batch).
 *   <li>{@code mgda_ub} (MGDA-UB, Sener and Koltun 2018): MGDA's weights from the tasks' gradients
 *       at the shared representation ({@link RepresentationGradients}), computed after the step's
 *       forward pass ({@link #onForwardPass}) and set on the heads before DL4J's one backward pass,
 *       so the step costs about what a static one does.
 * </ul>
 *
 * Parameters of a layer that feeds several outputs count as shared, including the per-task parts
 * inside one layer (soft sharing's towers, the mixture of experts' gates). The learned state
 * ({@link #state()}: the log-variances, or GradNorm's weights and first losses) is averaged over
 * the workers with the parameters every round.
 */
public final class StepBalancer extends BaseTrainingListener {
  /**
   * The least weight MGDA-UB gives a task with a gradient: its own layers' gradient is recovered
   * by dividing by the weight, which 0 would lose.
   */
  static final double MIN_LEAST_NORM_WEIGHT = 1e-3;

  private final ComputationGraph graph;
  private final Weighting method;
  private final double alpha;
  private final double rate;
  private final int tasks;

  /** The flattened parameters of the shared layers. */
  private final int[] sharedIndices;

  private double[] base;
  private double[] state;
  private long stepSeed;
  private MultiDataSet batch;

  /** MGDA-UB's gradients at the shared representation; null for the other methods. */
  private final RepresentationGradients representation;

  /** The runs of task-specific parameters: from, to (exclusive) and their task. */
  private final List<int[]> taskRuns;

  /** The heads' configured weights while MGDA-UB's are set for a step; null between steps. */
  private double[] carriedThisStep;

  /** MGDA-UB's weights of the step under way. */
  private double[] leastNormThisStep;

  /**
   * Sees every step's per-task gradients (tests): of every parameter, or at the representation for
   * MGDA-UB.
   */
  Consumer<double[][]> observer;

  /** Sees MGDA-UB's task weights of every step (tests). */
  Consumer<double[]> weightsObserver;

  public StepBalancer(ComputationGraph graph, Weighting method, double alpha, double rate) {
    if (!method.perStep()) {
      throw new IllegalArgumentException(method.configName() + " is not a per-step method");
    }
    this.graph = graph;
    this.method = method;
    this.alpha = alpha;
    this.rate = rate;
    this.tasks = graph.getConfiguration().getNetworkOutputs().size();
    int[] owner = owners(graph);
    this.sharedIndices = indicesOf(owner, -1);
    this.state = initialState(method, tasks);
    this.base = new double[tasks];
    Arrays.fill(base, 1);
    this.representation = method == Weighting.MGDA_UB ? new RepresentationGradients(graph) : null;
    this.taskRuns = runs(owner);
  }

  /** The runs of equal owners {@code >= 0} in {@code owner}: from, to (exclusive), owner. */
  private static List<int[]> runs(int[] owner) {
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < owner.length; ) {
      int j = i;
      while (j < owner.length && owner[j] == owner[i]) {
        j++;
      }
      if (owner[i] >= 0) {
        out.add(new int[] {i, j, owner[i]});
      }
      i = j;
    }
    return out;
  }

  /**
   * The learned state at the start of training: log-variances 0; GradNorm's weights 1, then its
   * first losses and, per task, whether a worker has seen one (0 or 1; a fraction after averaging
   * over workers, by which the averaged first loss is divided); MGDA's weights 1 (a moving average
   * of the steps' weights, kept to be seen, not used by the steps).
   */
  public static double[] initialState(Weighting method, int tasks) {
    return switch (method) {
      case UNCERTAINTY -> new double[tasks];
      case GRADNORM -> {
        double[] s = new double[3 * tasks];
        Arrays.fill(s, 0, tasks, 1);
        yield s;
      }
      case MGDA, MGDA_UB -> {
        double[] s = new double[tasks];
        Arrays.fill(s, 1);
        yield s;
      }
      default -> new double[0];
    };
  }

  /** How far each step moves the moving average of MGDA's weights (about the last 100 steps). */
  static final double LEAST_NORM_AVERAGE_RATE = 0.01;

  /**
   * The task weights the learned state stands for, as multipliers of the configured weights:
   * exp(-s_k) for uncertainty, GradNorm's weights, MGDA's weights of the shared layers (a moving
   * average over the recent steps), empty for the others.
   */
  public static double[] learnedWeights(Weighting method, double[] state, int tasks) {
    return switch (method) {
      case UNCERTAINTY -> Arrays.stream(state).map(s -> Math.exp(-s)).toArray();
      case GRADNORM, MGDA, MGDA_UB -> Arrays.copyOf(state, tasks);
      default -> new double[0];
    };
  }

  /**
   * Starts a round: the configured task weights ({@code base}, as the heads carry them now) and
   * the averaged learned state.
   */
  public void begin(double[] base, double[] state) {
    this.base = base.clone();
    this.state = state.length == 0 ? initialState(method, tasks) : state.clone();
    if (method == Weighting.GRADNORM) {
      // Averaged over the workers, first losses count only where a worker had one.
      for (int k = 0; k < tasks; k++) {
        double seen = this.state[2 * tasks + k];
        if (seen > 0) {
          this.state[tasks + k] /= seen;
          this.state[2 * tasks + k] = 1;
        }
      }
    }
    if (method == Weighting.UNCERTAINTY) {
      TaskLossWeights.apply(graph, kendallWeights());
    }
  }

  /**
   * Before each step: the seed of its dropout, drawn again by every per-task pass, and its batch
   * (MGDA-UB differentiates the heads' losses on its labels).
   */
  public void beforeStep(long seed, MultiDataSet batch) {
    stepSeed = seed;
    this.batch = batch;
    if (method.needsTaskGradients()) {
      Nd4j.getRandom().setSeed(seed);
    }
  }

  /** The learned state now. */
  public double[] state() {
    return state.clone();
  }

  /**
   * MGDA-UB: after the forward pass, before the backward one, weights the heads by the least-norm
   * combination of the tasks' gradients at the shared representation.
   */
  @Override
  public void onForwardPass(Model model, Map<String, INDArray> activations) {
    if (method != Weighting.MGDA_UB) {
      return;
    }
    if (carriedThisStep != null) {
      // A forward pass whose gradient never reached this listener: the configured weights back.
      TaskLossWeights.apply(graph, carriedThisStep);
    }
    if (batch == null) {
      throw new IllegalStateException("mgda_ub needs the step's batch: call beforeStep first");
    }
    double[] carried = TaskLossWeights.read(graph);
    double[][] g = new double[tasks][];
    for (int k = 0; k < tasks; k++) {
      INDArray mask = batch.getLabelsMaskArrays() == null ? null : batch.getLabelsMaskArray(k);
      g[k] =
          Nd4j.toFlattened('c', representation.of(k, activations, batch.getLabels(k), mask))
              .toDoubleVector();
    }
    if (observer != null) {
      observer.accept(g);
    }
    double[] a = leastNormWeights(g, k -> true);
    for (int k = 0; k < tasks; k++) {
      // A task weighed 0 would leave its own layers no gradient to restore (see below).
      if (TaskGradients.dot(g[k], g[k]) > 0) {
        a[k] = Math.max(a[k], MIN_LEAST_NORM_WEIGHT);
      }
    }
    if (weightsObserver != null) {
      weightsObserver.accept(a.clone());
    }
    double[] applied = new double[tasks];
    for (int k = 0; k < tasks; k++) {
      applied[k] = carried[k] * a[k];
    }
    leastNormThisStep = a;
    carriedThisStep = carried;
    TaskLossWeights.apply(graph, applied);
  }

  @Override
  public void onGradientCalculation(Model model) {
    if (method == Weighting.MGDA_UB) {
      finishLeastNormStep();
      return;
    }
    double[] carried = TaskLossWeights.read(graph);
    double[] losses = taskLosses(carried);
    switch (method) {
      case UNCERTAINTY -> {
        for (int k = 0; k < tasks; k++) {
          // A task with no label in the batch has loss 0 and nothing to learn from.
          if (losses[k] > 0) {
            double gradient = 1 - Math.exp(-state[k]) * losses[k];
            state[k] = Math.max(-20, Math.min(20, state[k] - rate * gradient));
          }
        }
        TaskLossWeights.apply(graph, kendallWeights());
      }
      case GRADNORM, PCGRAD, MGDA -> combine(carried, losses);
      default -> throw new IllegalStateException("not a per-step method: " + method);
    }
  }

  /**
   * After MGDA-UB's backward pass: the task-specific layers' gradients divided by their task's
   * weight, so that, as in the paper, only the shared layers step along the combination; the
   * configured weights back on the heads; and the step's score as they weight it.
   */
  private void finishLeastNormStep() {
    if (carriedThisStep == null) {
      return;
    }
    // In place, run by run: the shared layers' gradient (most of the vector) is not copied.
    INDArray flat = graph.getFlattenedGradients();
    INDArray vector = flat.reshape(flat.length());
    for (int[] run : taskRuns) {
      double a = leastNormThisStep[run[2]];
      if (a > 0) {
        vector.get(NDArrayIndex.interval(run[0], run[1])).divi(a);
      }
    }
    double[] losses = taskLosses(TaskLossWeights.read(graph));
    double score = graph.calcRegularizationScore(true);
    for (int k = 0; k < tasks; k++) {
      score += carriedThisStep[k] * losses[k];
    }
    TaskLossWeights.apply(graph, carriedThisStep);
    carriedThisStep = null;
    graph.setScore(score);
  }

  private double[] kendallWeights() {
    double[] w = new double[tasks];
    for (int k = 0; k < tasks; k++) {
      w[k] = base[k] * Math.exp(-state[k]);
    }
    return w;
  }

  /**
   * Each task's unweighted loss in the step just computed: its head's score (the first output's
   * carries the network's regularisation term) over the weight its head carried.
   */
  private double[] taskLosses(double[] carried) {
    double regularisation = graph.calcRegularizationScore(true);
    double[] out = new double[tasks];
    for (int k = 0; k < tasks; k++) {
      double weighted = graph.getOutputLayer(k).score() - (k == 0 ? regularisation : 0);
      out[k] = carried[k] > 0 ? Math.max(0, weighted / carried[k]) : 0;
    }
    return out;
  }

  private void combine(double[] carried, double[] losses) {
    INDArray flat = graph.getFlattenedGradients();
    double score = graph.score();
    double[] whole = flat.toDoubleVector();
    double[][] perTask = taskGradients(carried, whole, flat);
    if (observer != null) {
      observer.accept(perTask);
    }
    double[][] shared = new double[tasks][];
    for (int k = 0; k < tasks; k++) {
      shared[k] = gather(perTask[k], sharedIndices);
    }
    double[] out = whole.clone();
    switch (method) {
      case PCGRAD -> scatter(TaskGradients.pcgrad(shared, new Random(stepSeed)), out);
      case MGDA -> {
        double[] a = leastNormWeights(shared, k -> losses[k] > 0);
        double[] sum = new double[sharedIndices.length];
        for (int k = 0; k < tasks; k++) {
          for (int i = 0; i < sum.length; i++) {
            sum[i] += a[k] * shared[k][i];
          }
        }
        scatter(sum, out);
      }
      case GRADNORM -> {
        double[] w = Arrays.copyOf(state, tasks);
        for (int i = 0; i < out.length; i++) {
          double v = 0;
          for (int k = 0; k < tasks; k++) {
            v += w[k] * perTask[k][i];
          }
          out[i] = v;
        }
        gradNormUpdate(w, shared, losses);
      }
      default -> throw new IllegalStateException();
    }
    flat.assign(Nd4j.createFromArray(out).castTo(flat.dataType()).reshape(flat.shape()));
    graph.setScore(score);
  }

  /**
   * MGDA's weights over the tasks with a gradient in this batch (a task with no label in it has a
   * zero gradient, and would otherwise be the least-norm point alone, stopping the shared layers),
   * scaled to sum to their count; 0 for the others and for those {@code eligible} leaves out.
   * Moves the moving average of these tasks' weights (the learned state) towards them.
   */
  private double[] leastNormWeights(double[][] shared, IntPredicate eligible) {
    int[] live =
        java.util.stream.IntStream.range(0, tasks)
            .filter(k -> eligible.test(k) && TaskGradients.dot(shared[k], shared[k]) > 0)
            .toArray();
    double[] a = new double[tasks];
    if (live.length == 0) {
      return a;
    }
    double[][] g = new double[live.length][];
    for (int i = 0; i < live.length; i++) {
      g[i] = shared[live[i]];
    }
    double[] w = TaskGradients.minNormWeights(TaskGradients.gram(g));
    for (int i = 0; i < live.length; i++) {
      int k = live[i];
      a[k] = w[i] * live.length;
      // Only the tasks in the step: one with no label says nothing about its weight.
      state[k] += LEAST_NORM_AVERAGE_RATE * (a[k] - state[k]);
    }
    return a;
  }

  /**
   * Every task's gradient of the step: the heads weighted one task at a time (the same dropout
   * drawn again), the last task's as the whole gradient minus the others'.
   */
  private double[][] taskGradients(double[] carried, double[] whole, INDArray flat) {
    double[][] g = new double[tasks][];
    double[] rest = whole.clone();
    try {
      for (int k = 0; k < tasks - 1; k++) {
        double[] oneHot = new double[tasks];
        oneHot[k] = carried[k];
        TaskLossWeights.apply(graph, oneHot);
        Nd4j.getRandom().setSeed(stepSeed);
        graph.computeGradientAndScore();
        g[k] = flat.toDoubleVector();
        for (int i = 0; i < rest.length; i++) {
          rest[i] -= g[k][i];
        }
      }
    } finally {
      TaskLossWeights.apply(graph, carried);
    }
    g[tasks - 1] = rest;
    return g;
  }

  private void gradNormUpdate(double[] w, double[][] shared, double[] losses) {
    double batch = Math.max(1, graph.batchSize());
    double[] norms = new double[tasks];
    double[] ratios = new double[tasks];
    boolean ready = true;
    for (int k = 0; k < tasks; k++) {
      if (state[2 * tasks + k] == 0 && losses[k] > 0) {
        state[tasks + k] = losses[k];
        state[2 * tasks + k] = 1;
      }
      // DL4J's flattened gradient is summed over the batch's examples: per example, as the loss.
      norms[k] = w[k] * Math.sqrt(TaskGradients.dot(shared[k], shared[k])) / batch;
      ready &= state[2 * tasks + k] > 0 && losses[k] > 0;
      ratios[k] = state[2 * tasks + k] > 0 ? losses[k] / state[tasks + k] : 0;
    }
    // A step where some task has no label (or no first loss yet) says nothing about its rate.
    if (ready) {
      double[] next = TaskGradients.gradNormStep(w, norms, ratios, alpha, rate);
      System.arraycopy(next, 0, state, 0, tasks);
    }
  }

  private void scatter(double[] sharedValues, double[] out) {
    for (int i = 0; i < sharedIndices.length; i++) {
      out[sharedIndices[i]] = sharedValues[i];
    }
  }

  private static double[] gather(double[] v, int[] indices) {
    double[] out = new double[indices.length];
    for (int i = 0; i < indices.length; i++) {
      out[i] = v[indices[i]];
    }
    return out;
  }

  private static int[] indicesOf(int[] owner, int value) {
    return java.util.stream.IntStream.range(0, owner.length)
        .filter(i -> owner[i] == value)
        .toArray();
  }

  /** For every vertex, the outputs (task indices) it feeds, directly or through others. */
  static Map<String, Set<Integer>> reaches(ComputationGraphConfiguration conf) {
    List<String> outputs = conf.getNetworkOutputs();
    Map<String, Set<Integer>> reaches = new HashMap<>();
    for (int o = 0; o < outputs.size(); o++) {
      List<String> frontier = new ArrayList<>(List.of(outputs.get(o)));
      Set<String> seen = new HashSet<>();
      while (!frontier.isEmpty()) {
        String v = frontier.remove(frontier.size() - 1);
        if (!seen.add(v)) {
          continue;
        }
        reaches.computeIfAbsent(v, x -> new HashSet<>()).add(o);
        frontier.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
      }
    }
    return reaches;
  }

  /**
   * For every flattened parameter, the output (task) index whose layer feeds only that output, or
   * -1 for a layer that feeds several; where a layer's parameters lie is where its view of the
   * graph's flattened parameters starts.
   */
  static int[] owners(ComputationGraph graph) {
    Map<String, Set<Integer>> reaches = reaches(graph.getConfiguration());
    INDArray params = graph.params().reshape(graph.params().length());
    int[] owner = new int[(int) params.length()];
    Arrays.fill(owner, -1);
    for (Layer layer : graph.getLayers()) {
      long n = layer.numParams();
      if (n == 0) {
        continue;
      }
      INDArray view = layer.params();
      long offset = view == null ? -1 : view.offset() - params.offset();
      if (offset < 0
          || offset + n > owner.length
          || !view.reshape(n)
              .equals(params.get(NDArrayIndex.interval(offset, offset + n)).reshape(n))) {
        throw new IllegalStateException(
            "the parameters of layer "
                + layer.conf().getLayer().getLayerName()
                + " are not a view of the graph's parameters");
      }
      Set<Integer> r = reaches.getOrDefault(layer.conf().getLayer().getLayerName(), Set.of());
      if (r.size() == 1) {
        Arrays.fill(owner, (int) offset, (int) (offset + n), r.iterator().next());
      }
    }
    return owner;
  }
}
