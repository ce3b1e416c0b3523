package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TrainConfig.Weighting;
import org.mtlspark.workers.model.TaskLossWeights;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

class StepBalancerTest {
  private static final double LR = 0.1;
  private static final int TRUNK_PARAMS = 5 * 8 + 8;
  private static final int BATCH = 16;

  /**
   * A trunk of 8 tanh units over 5 inputs (dropout {@code retain} when below 1) and two heads of 4
   * units, one per regression task; the heads start equal, so that targets of opposite sign make
   * the tasks' trunk gradients conflict.
   */
  static ComputationGraph graph(double retain) {
    return graph(retain, 0);
  }

  /** The same with L2 regularisation {@code l2} on every layer. */
  static ComputationGraph graph(double retain, double l2) {
    NeuralNetConfiguration.Builder nn =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .dataType(DataType.DOUBLE)
            .updater(new Sgd(LR))
            .l2(l2)
            .weightInit(WeightInit.XAVIER);
    DenseLayer.Builder trunk = new DenseLayer.Builder().nIn(5).nOut(8).activation(Activation.TANH);
    if (retain < 1) {
      trunk.dropOut(retain);
    }
    ComputationGraphConfiguration.GraphBuilder b =
        nn.graphBuilder().addInputs("in").addLayer("trunk", trunk.build(), "in");
    for (int t = 0; t < 2; t++) {
      b.addLayer(
          "head" + t,
          new DenseLayer.Builder().nIn(8).nOut(4).activation(Activation.TANH).build(),
          "trunk");
      b.addLayer(
          "out" + t,
          new OutputLayer.Builder(new LossMSE(Nd4j.ones(DataType.DOUBLE, 1, 1)))
              .nIn(4)
              .nOut(1)
              .activation(Activation.IDENTITY)
              .build(),
          "head" + t);
    }
    ComputationGraph g =
        new ComputationGraph(
            b.setOutputs("out0", "out1").setInputTypes(InputType.feedForward(5)).build());
    g.init();
    g.getLayer("head1").params().assign(g.getLayer("head0").params());
    g.getLayer("out1").params().assign(g.getLayer("out0").params());
    return g;
  }

  /** Inputs and targets of opposite sign for the two tasks, large enough to dominate the outputs. */
  static MultiDataSet batch() {
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 5).subi(0.5).muli(2);
    INDArray y = Nd4j.rand(DataType.DOUBLE, BATCH, 1).addi(4);
    return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, y.neg()});
  }

  /** Task {@code k}'s gradient alone at the graph's parameters, with dropout seeded by {@code seed}. */
  static double[] taskGradient(ComputationGraph g, MultiDataSet b, int k, long seed) {
    double[] carried = TaskLossWeights.read(g);
    double[] oneHot = new double[carried.length];
    oneHot[k] = carried[k];
    TaskLossWeights.apply(g, oneHot);
    try {
      g.setInputs(b.getFeatures());
      g.setLabels(b.getLabels());
      Nd4j.getRandom().setSeed(seed);
      g.computeGradientAndScore();
      return g.getFlattenedGradients().toDoubleVector();
    } finally {
      TaskLossWeights.apply(g, carried);
    }
  }

  /** Task {@code k}'s unweighted loss at the graph's parameters (no dropout in the graph). */
  static double taskLoss(ComputationGraph g, MultiDataSet b, int k) {
    double[] carried = TaskLossWeights.read(g);
    double[] oneHot = new double[carried.length];
    oneHot[k] = 1;
    TaskLossWeights.apply(g, oneHot);
    try {
      g.setInputs(b.getFeatures());
      g.setLabels(b.getLabels());
      g.computeGradientAndScore();
      return g.score() - g.calcRegularizationScore(true);
    } finally {
      TaskLossWeights.apply(g, carried);
    }
  }

  /** One balanced step; returns the per-task gradients it saw and the parameters before it. */
  static double[][][] step(StepBalancer balancer, ComputationGraph g, MultiDataSet b, long seed) {
    AtomicReference<double[][]> seen = new AtomicReference<>();
    AtomicReference<double[]> before = new AtomicReference<>();
    balancer.observer =
        perTask -> {
          seen.set(perTask);
          before.set(g.params().toDoubleVector());
        };
    g.setListeners(balancer);
    balancer.beforeStep(seed);
    g.fit(b);
    return new double[][][] {seen.get(), {before.get()}};
  }

  @Test
  void theTrunkIsSharedAndEachHeadBelongsToItsTask() {
    ComputationGraph g = graph(1);
    int[] owner = StepBalancer.owners(g);
    assertEquals(g.numParams(), owner.length);
    long trunk = Arrays.stream(owner).filter(o -> o == -1).count();
    assertEquals(TRUNK_PARAMS, trunk);
    int head = 8 * 4 + 4 + 4 + 1;
    assertEquals(head, Arrays.stream(owner).filter(o -> o == 0).count());
    assertEquals(head, Arrays.stream(owner).filter(o -> o == 1).count());
    // The trunk's parameters are the shared ones: moving one changes both outputs' scores.
    int first = 0;
    while (owner[first] != -1) {
      first++;
    }
    assertEquals(g.getLayer("trunk").params().getDouble(0), g.params().getDouble(first), 0);
  }

  @Test
  void everyTasksGradientIsItsOwnPassWithTheSameDropout() {
    ComputationGraph g = graph(0.7);
    MultiDataSet b = batch();
    StepBalancer balancer = new StepBalancer(g, Weighting.PCGRAD, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 1234);
    double[][] perTask = seen[0];
    assertNotNull(perTask);
    g.params().assign(Nd4j.createFromArray(seen[1][0]).reshape(g.params().shape()));
    // The last task's gradient was the whole step's minus the others': equal to its own pass
    // only if every pass drew the same dropout.
    for (int k = 0; k < 2; k++) {
      assertArrayEquals(taskGradient(g, b, k, 1234), perTask[k], 1e-10, "task " + k);
    }
    double[] other = taskGradient(g, b, 1, 999);
    assertTrue(maxDiff(other, perTask[1]) > 1e-6, "another seed draws another dropout");
  }

  @Test
  void pcgradStepsAlongTheProjectedGradientsOfTheSharedLayersOnly() {
    ComputationGraph g = graph(1);
    MultiDataSet b = batch();
    StepBalancer balancer = new StepBalancer(g, Weighting.PCGRAD, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 77);
    double[][] perTask = seen[0];
    int[] owner = StepBalancer.owners(g);
    double[][] shared = sharedParts(perTask, owner);
    assertTrue(TaskGradients.dot(shared[0], shared[1]) < 0, "the data makes the tasks conflict");
    double[] combined = sum(perTask);
    double[] projected = TaskGradients.pcgrad(shared, new Random(77));
    scatter(projected, owner, combined);
    assertArrayEquals(expectedAfter(seen[1][0], combined), g.params().toDoubleVector(), 1e-10);
    // A plain step from the same point goes elsewhere.
    double[] plain = expectedAfter(seen[1][0], sum(perTask));
    assertTrue(maxDiff(plain, g.params().toDoubleVector()) > 1e-6);
  }

  @Test
  void mgdaStepsAlongTheLeastNormCombinationScaledToTheTaskCount() {
    ComputationGraph g = graph(1);
    MultiDataSet b = batch();
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 5);
    double[][] perTask = seen[0];
    int[] owner = StepBalancer.owners(g);
    double[][] shared = sharedParts(perTask, owner);
    double[] a = TaskGradients.minNormWeights(TaskGradients.gram(shared));
    assertTrue(a[0] > 0.01 && a[1] > 0.01, "both tasks weigh in: " + Arrays.toString(a));
    double[] mix = new double[shared[0].length];
    for (int i = 0; i < mix.length; i++) {
      mix[i] = 2 * (a[0] * shared[0][i] + a[1] * shared[1][i]);
    }
    // At the least-norm point no task's gradient is opposed: both inner products >= 0.
    assertTrue(TaskGradients.dot(mix, shared[0]) >= -1e-9);
    assertTrue(TaskGradients.dot(mix, shared[1]) >= -1e-9);
    double[] combined = sum(perTask);
    scatter(mix, owner, combined);
    assertArrayEquals(expectedAfter(seen[1][0], combined), g.params().toDoubleVector(), 1e-10);
  }

  @Test
  void mgdaLeavesOutATaskWithNoLabelInTheBatch() {
    ComputationGraph g = graph(1);
    MultiDataSet full = batch();
    INDArray none = Nd4j.zeros(DataType.DOUBLE, BATCH, 1);
    INDArray all = Nd4j.ones(DataType.DOUBLE, BATCH, 1);
    MultiDataSet b =
        new MultiDataSet(full.getFeatures(), full.getLabels(), null, new INDArray[] {all, none});
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 9);
    // The labelled task's gradient alone, not the least-norm point of it and zero (no step).
    assertTrue(maxDiff(seen[1][0], g.params().toDoubleVector()) > 1e-6, "the trunk moved");
    assertArrayEquals(expectedAfter(seen[1][0], sum(seen[0])), g.params().toDoubleVector(), 1e-10);
  }

  @Test
  void gradNormsFirstLossesAreAveragedOnlyOverTheWorkersThatSawOne() {
    ComputationGraph g = graph(1);
    StepBalancer balancer = new StepBalancer(g, Weighting.GRADNORM, 1.5, 0.01);
    // Two workers: one saw first losses (0.8, 0.6), the other none for task 0 and 0.2 for task 1.
    double[] averaged = {1, 1, (0.8 + 0) / 2, (0.6 + 0.2) / 2, 0.5, 1};
    balancer.begin(new double[] {1, 1}, averaged);
    assertArrayEquals(new double[] {1, 1, 0.8, 0.4, 1, 1}, balancer.state(), 1e-12);
  }

  @Test
  void uncertaintyMovesEachLogVarianceByItsLossAndWeighsTheHeads() {
    // With L2 regularisation: the network's regularisation term, which DL4J adds to the first
    // head's score, is not a task's loss.
    ComputationGraph g = graph(1, 0.05);
    assertTrue(g.calcRegularizationScore(true) > 0.01);
    MultiDataSet b = batch();
    double[] before = g.params().toDoubleVector();
    double[] losses = {taskLoss(g, b, 0), taskLoss(g, b, 1)};
    StepBalancer balancer = new StepBalancer(g, Weighting.UNCERTAINTY, 1.5, 0.05);
    balancer.begin(new double[] {1, 2}, new double[0]);
    assertArrayEquals(new double[] {1, 2}, TaskLossWeights.read(g), 1e-12, "exp(0) at the start");
    g.setListeners(balancer);
    balancer.beforeStep(1);
    g.fit(b);
    // d/ds (exp(-s) L + s) at s = 0 is 1 - L.
    double[] s = balancer.state();
    for (int k = 0; k < 2; k++) {
      assertEquals(-0.05 * (1 - losses[k]), s[k], 1e-9, "task " + k);
    }
    assertArrayEquals(
        new double[] {Math.exp(-s[0]), 2 * Math.exp(-s[1])}, TaskLossWeights.read(g), 1e-12);
    assertTrue(maxDiff(before, g.params().toDoubleVector()) > 0);
    assertArrayEquals(
        new double[] {Math.exp(-s[0]), Math.exp(-s[1])},
        StepBalancer.learnedWeights(Weighting.UNCERTAINTY, s, 2),
        1e-12);
  }

  @Test
  void gradNormRecordsTheFirstLossesAndLowersTheWeightOfTheLargerGradient() {
    ComputationGraph g = graph(1);
    // Unequal heads: the tasks' trunk gradients differ in size.
    g.getLayer("out1").params().muli(3);
    MultiDataSet b = batch();
    double[] losses = {taskLoss(g, b, 0), taskLoss(g, b, 1)};
    StepBalancer balancer = new StepBalancer(g, Weighting.GRADNORM, 1.5, 0.05);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 3);
    double[][] shared = sharedParts(seen[0], StepBalancer.owners(g));
    double n0 = Math.sqrt(TaskGradients.dot(shared[0], shared[0]));
    double n1 = Math.sqrt(TaskGradients.dot(shared[1], shared[1]));
    assertTrue(Math.abs(n0 - n1) > 1e-3 * Math.max(n0, n1));
    double[] s = balancer.state();
    assertEquals(losses[0], s[2], 1e-9);
    assertEquals(losses[1], s[3], 1e-9);
    // First step: every ratio is 1, so the target is the mean norm; the weights still sum to 2.
    assertEquals(2, s[0] + s[1], 1e-12);
    assertEquals(n0 > n1, s[0] < s[1]);
    // The step itself used the weights before the update (1, 1): the plain sum.
    assertArrayEquals(expectedAfter(seen[1][0], sum(seen[0])), g.params().toDoubleVector(), 1e-10);
  }

  @Test
  void methodsBetweenEpochsAreRefused() {
    ComputationGraph g = graph(1);
    for (Weighting w : Weighting.values()) {
      assertEquals(w.perStep(), canBuild(g, w), w.name());
    }
    assertFalse(Weighting.UNCERTAINTY.needsTaskGradients());
  }

  private static boolean canBuild(ComputationGraph g, Weighting w) {
    try {
      new StepBalancer(g, w, 1, 0.01);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Plain SGD from {@code before} along {@code gradient}: the flattened gradient DL4J computes is
   * summed over the batch's examples; its updater divides it by the batch size.
   */
  private static double[] expectedAfter(double[] before, double[] gradient) {
    double[] out = before.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] -= LR * gradient[i] / BATCH;
    }
    return out;
  }

  private static double[][] sharedParts(double[][] perTask, int[] owner) {
    int[] idx =
        java.util.stream.IntStream.range(0, owner.length).filter(i -> owner[i] == -1).toArray();
    double[][] out = new double[perTask.length][idx.length];
    for (int k = 0; k < perTask.length; k++) {
      for (int i = 0; i < idx.length; i++) {
        out[k][i] = perTask[k][idx[i]];
      }
    }
    return out;
  }

  private static void scatter(double[] shared, int[] owner, double[] into) {
    int j = 0;
    for (int i = 0; i < owner.length; i++) {
      if (owner[i] == -1) {
        into[i] = shared[j++];
      }
    }
  }

  private static double[] sum(double[][] perTask) {
    double[] out = new double[perTask[0].length];
    for (double[] g : perTask) {
      for (int i = 0; i < out.length; i++) {
        out[i] += g[i];
      }
    }
    return out;
  }

  private static double maxDiff(double[] a, double[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
