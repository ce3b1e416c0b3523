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
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.TrainingListener;
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
    return graph(retain, l2, 0);
  }

  /**
   * The same, and with {@code side > 0} a second input of that width merged with the trunk's output
   * under each head (as the wide part is).
   */
  static ComputationGraph graph(double retain, double l2, int side) {
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
    if (side > 0) {
      b.addInputs("side");
    }
    for (int t = 0; t < 2; t++) {
      String under = "trunk";
      if (side > 0) {
        under = "wide" + t;
        b.addVertex(under, new MergeVertex(), "trunk", "side");
      }
      b.addLayer("head" + t, head(8 + side), under);
      b.addLayer("out" + t, output(), "head" + t);
    }
    b.setOutputs("out0", "out1");
    if (side > 0) {
      b.setInputTypes(InputType.feedForward(5), InputType.feedForward(side));
    } else {
      b.setInputTypes(InputType.feedForward(5));
    }
    ComputationGraph g = new ComputationGraph(b.build());
    g.init();
    g.getLayer("head1").params().assign(g.getLayer("head0").params());
    g.getLayer("out1").params().assign(g.getLayer("out0").params());
    return g;
  }

  /** A task's dense layer of 4 tanh units. */
  private static DenseLayer head(int in) {
    return new DenseLayer.Builder().nIn(in).nOut(4).activation(Activation.TANH).build();
  }

  /** A regression output with a weights row (so that its task weight can be set). */
  private static OutputLayer output() {
    return new OutputLayer.Builder(new LossMSE(Nd4j.ones(DataType.DOUBLE, 1, 1)))
        .nIn(4)
        .nOut(1)
        .activation(Activation.IDENTITY)
        .build();
  }

  /** Inputs and targets of opposite sign for the two tasks, large enough to dominate the outputs. */
  static MultiDataSet batch() {
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.rand(DataType.DOUBLE, BATCH, 5).subi(0.5).muli(2);
    INDArray y = Nd4j.rand(DataType.DOUBLE, BATCH, 1).addi(4);
    return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, y.neg()});
  }

  /** The batch with no label of the second task (its label mask all zeros). */
  static MultiDataSet batchWithoutSecondLabels() {
    MultiDataSet full = batch();
    INDArray none = Nd4j.zeros(DataType.DOUBLE, BATCH, 1);
    INDArray all = Nd4j.ones(DataType.DOUBLE, BATCH, 1);
    return new MultiDataSet(full.getFeatures(), full.getLabels(), null, new INDArray[] {all, none});
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
    balancer.beforeStep(seed, b);
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
    MultiDataSet b = batchWithoutSecondLabels();
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, b, 9);
    // The labelled task's gradient alone, not the least-norm point of it and zero (no step).
    assertTrue(maxDiff(seen[1][0], g.params().toDoubleVector()) > 1e-6, "the trunk moved");
    assertArrayEquals(expectedAfter(seen[1][0], sum(seen[0])), g.params().toDoubleVector(), 1e-10);
  }

  @Test
  void mgdaUbWeighsTheTasksByTheLeastNormPointOfTheirGradientsAtTheTrunksOutput() {
    ComputationGraph g = graph(1);
    MultiDataSet b = batch();
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA_UB, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    AtomicReference<double[]> weights = new AtomicReference<>();
    balancer.weightsObserver = weights::set;
    double[][][] seen = step(balancer, g, b, 5);
    g.setListeners(new TrainingListener[0]);
    double[] before = seen[1][0];
    double[] after = g.params().toDoubleVector();
    g.params().assign(Nd4j.createFromArray(before).reshape(g.params().shape()));

    // Each task's gradient at the trunk's output, by finite differences of DL4J's own score of
    // that task's head (a mean over the batch: times the batch, DL4J's summed gradient).
    INDArray z = g.feedForward(b.getFeatures(), false).get("trunk");
    double[][] numeric = new double[2][];
    for (int k = 0; k < 2; k++) {
      numeric[k] = headGradient(g, k, z, null, b.getLabels(k));
      assertArrayEquals(numeric[k], seen[0][k], 1e-6, "task " + k + " at the representation");
    }
    double[] a = TaskGradients.minNormWeights(TaskGradients.gram(numeric));
    assertTrue(a[0] > 0.01 && a[1] > 0.01, "both tasks weigh in: " + Arrays.toString(a));
    assertArrayEquals(new double[] {2 * a[0], 2 * a[1]}, weights.get(), 1e-6);
    // Their moving average, kept to be seen (from 1 towards the step's weights).
    double rate = StepBalancer.LEAST_NORM_AVERAGE_RATE;
    assertArrayEquals(
        new double[] {1 + rate * (2 * a[0] - 1), 1 + rate * (2 * a[1] - 1)},
        StepBalancer.learnedWeights(Weighting.MGDA_UB, balancer.state(), 2),
        1e-6);

    // The step: the trunk along the weighted sum of the tasks' gradients, each head along its own.
    double[][] perTask = {taskGradient(g, b, 0, 5), taskGradient(g, b, 1, 5)};
    int[] owner = StepBalancer.owners(g);
    double[] combined = new double[before.length];
    for (int i = 0; i < combined.length; i++) {
      combined[i] =
          owner[i] == -1
              ? weights.get()[0] * perTask[0][i] + weights.get()[1] * perTask[1][i]
              : perTask[owner[i]][i];
    }
    assertArrayEquals(expectedAfter(before, combined), after, 1e-10);
    assertTrue(maxDiff(expectedAfter(before, sum(perTask)), after) > 1e-6, "not the plain sum");
    // The heads carry their configured weights again, ready for the next step.
    assertArrayEquals(new double[] {1, 1}, TaskLossWeights.read(g), 0);
  }

  @Test
  void mgdaUbDifferentiatesThroughAMergeOfTheTrunkAndAnInput() {
    ComputationGraph g = graph(1, 0, 3);
    MultiDataSet b = batch();
    INDArray side = Nd4j.rand(DataType.DOUBLE, BATCH, 3);
    MultiDataSet both = new MultiDataSet(new INDArray[] {b.getFeatures(0), side}, b.getLabels());
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA_UB, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    double[][][] seen = step(balancer, g, both, 5);
    g.setListeners(new TrainingListener[0]);
    g.params().assign(Nd4j.createFromArray(seen[1][0]).reshape(g.params().shape()));
    INDArray z = g.feedForward(both.getFeatures(), false).get("trunk");
    for (int k = 0; k < 2; k++) {
      // The representation is the shared vertices in name order: the side input, then the trunk.
      double[] numeric = headGradient(g, k, z, side, both.getLabels(k));
      assertArrayEquals(numeric, seen[0][k], 1e-6, "task " + k);
    }
  }

  @Test
  void mgdaUbGivesATaskWithNoLabelNoWeight() {
    ComputationGraph g = graph(1);
    MultiDataSet b = batchWithoutSecondLabels();
    StepBalancer balancer = new StepBalancer(g, Weighting.MGDA_UB, 1.5, 0.01);
    balancer.begin(new double[] {1, 1}, new double[0]);
    AtomicReference<double[]> weights = new AtomicReference<>();
    balancer.weightsObserver = weights::set;
    double[][][] seen = step(balancer, g, b, 9);
    assertArrayEquals(new double[] {1, 0}, weights.get(), 0);
    // The unlabelled task's average weight stays where it was.
    assertEquals(1, balancer.state()[1], 0);
    assertTrue(maxDiff(seen[1][0], g.params().toDoubleVector()) > 1e-6, "the trunk moved");
  }

  @Test
  void mgdaUbRefusesTaskLayersItCannotDifferentiate() {
    NeuralNetConfiguration.Builder nn =
        new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE);
    ComputationGraphConfiguration.GraphBuilder b =
        nn.graphBuilder()
            .addInputs("in")
            .addLayer("trunk", new DenseLayer.Builder().nIn(5).nOut(8).build(), "in");
    for (int t = 0; t < 2; t++) {
      b.addLayer(
          "norm" + t,
          new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(8).build(),
          "trunk");
      b.addLayer(
          "out" + t,
          new OutputLayer.Builder(new LossMSE())
              .nIn(8)
              .nOut(1)
              .activation(Activation.IDENTITY)
              .build(),
          "norm" + t);
    }
    ComputationGraph g =
        new ComputationGraph(
            b.setOutputs("out0", "out1").setInputTypes(InputType.feedForward(5)).build());
    g.init();
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> new StepBalancer(g, Weighting.MGDA_UB, 1.5, 0.01));
    assertTrue(e.getMessage().contains("norm0 is BatchNormalization"), e.getMessage());
  }

  /**
   * Task {@code k}'s gradient at its head's input ({@code side}, when given, then {@code z}, row by
   * row), by central differences of DL4J's score of a graph holding only that task's head.
   */
  private static double[] headGradient(
      ComputationGraph g, int k, INDArray z, INDArray side, INDArray labels) {
    int width = (int) z.size(1) + (side == null ? 0 : (int) side.size(1));
    ComputationGraph head =
        new ComputationGraph(
            new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("x")
                .addLayer("head", head(width), "x")
                .addLayer("out", output(), "head")
                .setOutputs("out")
                .build());
    head.init();
    head.getLayer("head").params().assign(g.getLayer("head" + k).params());
    head.getLayer("out").params().assign(g.getLayer("out" + k).params());
    // The head reads its merge's order (trunk, then side); the result is in name order.
    INDArray x = side == null ? z.dup() : Nd4j.hstack(z, side);
    int zWidth = (int) z.size(1);
    double[] out = new double[BATCH * width];
    double h = 1e-6;
    for (int r = 0; r < BATCH; r++) {
      for (int c = 0; c < width; c++) {
        double v = x.getDouble(r, c);
        x.putScalar(r, c, v + h);
        double up = head.score(new org.nd4j.linalg.dataset.DataSet(x, labels));
        x.putScalar(r, c, v - h);
        double down = head.score(new org.nd4j.linalg.dataset.DataSet(x, labels));
        x.putScalar(r, c, v);
        int named = side == null ? c : c < zWidth ? (int) side.size(1) + c : c - zWidth;
        out[r * width + named] = (up - down) / (2 * h) * BATCH;
      }
    }
    return out;
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
    balancer.beforeStep(1, b);
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
