package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.Featurizer;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

class CaptionDecoderTest {

  /** The text and the image of {@link TestBatches#stateWithCaption()}, the caption task alone. */
  static FeaturizerState captionOnly() {
    FeaturizerState s = TestBatches.stateWithCaption();
    return TestBatches.withModalitiesAndTasks(
        s, List.of(ModelInputs.TEXT, ModelInputs.IMAGE), List.of(s.tasks().get(3)));
  }

  /** Ids of the vocabulary's words w1, w2, w3. */
  static final int W1 = 3;

  static final int W2 = 4;
  static final int W3 = 5;

  /**
   * {@code n} 8x8 images, bright on the left half (captioned "w1 w2") or on the right half ("w2 w3
   * w1"), with noise: which caption, and which word comes where, is in the image alone.
   */
  static List<Example> leftOrRight(FeaturizerState s, int n, long seed) {
    Random r = new Random(seed);
    List<Example> out = new ArrayList<>();
    int positions = s.maxTokens();
    for (int i = 0; i < n; i++) {
      boolean left = i % 2 == 0;
      float[] px = new float[64];
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          px[y * 8 + x] = ((x < 4) == left ? 0.8f : 0.1f) + 0.2f * r.nextFloat();
        }
      }
      int[] words = left ? new int[] {W1, W2} : new int[] {W2, W3, W1};
      float[] tokens = new float[positions];
      float[] mask = new float[positions];
      for (int k = 0; k < words.length; k++) {
        tokens[k] = words[k];
        mask[k] = 1;
      }
      float[] labels = new float[s.tasks().get(0).width() * positions];
      assertTrue(Featurizer.captionWords(tokens, mask, labels));
      out.add(
          new Example(
              "k" + i,
              new float[0],
              tokens,
              mask,
              px,
              new float[0],
              new float[] {1, 1},
              new float[][] {labels},
              new float[] {1}));
    }
    return out;
  }

  static ComputationGraph trained(FeaturizerState s, MultiDataSet b) {
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.textEmbedding=8",
                "model.textHidden=16",
                "model.imageFilters=[4]",
                "model.imageHidden=8",
                "model.trunk=[8]",
                "train.learningRate=0.02"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 11);
    for (int i = 0; i < 150; i++) {
      g.fit(b);
    }
    return g;
  }

  @Test
  void aTrainedDecoderWritesEachImagesCaptionGreedilyAndByBeamSearch() {
    FeaturizerState s = captionOnly();
    MultiDataSet train =
        BatchBuilder.build(leftOrRight(s, 32, 1), BatchBuilder.perToken(s.tasks()));
    ComputationGraph g = trained(s, train);
    MultiDataSet test = BatchBuilder.build(leftOrRight(s, 8, 2), BatchBuilder.perToken(s.tasks()));
    // Decoding ignores the test's own captions: they are overwritten word by word.
    int text = s.inputs().indexOf(ModelInputs.TEXT);
    test.getFeatures(text).assign(0);
    test.getFeaturesMaskArray(text).assign(0);
    int[] left = {TaskEncoding.captionClass(W1), TaskEncoding.captionClass(W2)};
    int[] right = {
      TaskEncoding.captionClass(W2), TaskEncoding.captionClass(W3), TaskEncoding.captionClass(W1)
    };
    for (int width : new int[] {1, 3}) {
      int[][] written =
          CaptionDecoder.beam(g, test.getFeatures(), test.getFeaturesMaskArrays(), 0, width);
      for (int r = 0; r < 8; r++) {
        assertArrayEquals(r % 2 == 0 ? left : right, written[r], "row " + r + ", beam " + width);
      }
    }
    assertEquals(
        "w2 w3 w1",
        CaptionDecoder.text(
            s.tasks().get(0),
            CaptionDecoder.greedy(g, test.getFeatures(), test.getFeaturesMaskArrays(), 0)[1]));
  }

  @Test
  void theTruthIsReadFromTheLabelsAndAnUnknownWordMatchesNothing() {
    FeaturizerState s = captionOnly();
    MultiDataSet b = BatchBuilder.build(leftOrRight(s, 4, 3), BatchBuilder.perToken(s.tasks()));
    int[][] truth = CaptionDecoder.truth(b.getLabels(0), b.getLabelsMaskArray(0));
    assertArrayEquals(
        new int[] {TaskEncoding.captionClass(W1), TaskEncoding.captionClass(W2)}, truth[0]);
    assertEquals(3, truth[1].length);
    b.getLabelsMaskArray(0).getRow(2).assign(0);
    assertEquals(null, CaptionDecoder.truth(b.getLabels(0), b.getLabelsMaskArray(0))[2]);
    // A word outside the vocabulary never matches, not even another one.
    b.getLabels(0).putScalar(new int[] {0, TaskEncoding.captionClass(W1), 0}, 0);
    b.getLabels(0).putScalar(new int[] {0, TaskEncoding.UNKNOWN_WORD, 0}, 1);
    int[] unknown = CaptionDecoder.truth(b.getLabels(0), b.getLabelsMaskArray(0))[0];
    assertTrue(unknown[0] < 0, "an unknown word is a number of its own: " + unknown[0]);
  }

  @Test
  void theBestWordsOfAHypothesisAreFoundInOrder() {
    float[] p = {9, 0.1f, 0.5f, 0.2f, 0.05f, 9};
    assertArrayEquals(new int[] {1, 2}, CaptionDecoder.best(p, 1, 4, 2));
    assertArrayEquals(new int[] {1, 2, 0, 3}, CaptionDecoder.best(p, 1, 4, 9));
  }

  @Test
  void eachGreedyWordIsTheLikeliestGivenTheWordsBeforeItAndTheTextInTheDataIsNotRead() {
    FeaturizerState s = captionOnly();
    MultiDataSet b = BatchBuilder.build(leftOrRight(s, 6, 4), BatchBuilder.perToken(s.tasks()));
    MtlConfig config = ConfigLoader.load(List.of(), List.of("model.textEmbedding=4"));
    ComputationGraph g = GraphBuilder.build(s, config.model(), config.train(), 5);
    int text = s.inputs().indexOf(ModelInputs.TEXT);
    int[][] written = CaptionDecoder.greedy(g, b.getFeatures(), b.getFeaturesMaskArrays(), 0);
    // The same captions whatever text the records come with.
    org.nd4j.linalg.api.ndarray.INDArray[] other = b.getFeatures().clone();
    other[text] = b.getFeatures(text).dup().assign(W3);
    int[][] again = CaptionDecoder.greedy(g, other, b.getFeaturesMaskArrays(), 0);
    for (int r = 0; r < 6; r++) {
      assertArrayEquals(written[r], again[r]);
    }
    // Fed its own caption (teacher forcing), each position's likeliest word is the one it wrote,
    // and after the last one the end mark (unless the caption fills every position).
    int positions = s.maxTokens();
    org.nd4j.linalg.api.ndarray.INDArray ids = Nd4j.zeros(6, positions);
    org.nd4j.linalg.api.ndarray.INDArray mask = Nd4j.zeros(6, positions);
    for (int r = 0; r < 6; r++) {
      for (int at = 0; at < written[r].length; at++) {
        ids.putScalar(r, at, TaskEncoding.captionToken(written[r][at]));
        mask.putScalar(r, at, 1);
      }
    }
    org.nd4j.linalg.api.ndarray.INDArray[] f = b.getFeatures().clone();
    org.nd4j.linalg.api.ndarray.INDArray[] m = b.getFeaturesMaskArrays().clone();
    f[text] = ids;
    m[text] = mask;
    org.nd4j.linalg.api.ndarray.INDArray out = g.output(false, f, m)[0];
    int checked = 0;
    for (int r = 0; r < 6; r++) {
      for (int at = 0; at <= Math.min(written[r].length, positions - 1); at++) {
        int expected = at < written[r].length ? written[r][at] : TaskEncoding.END;
        int argmax =
            Nd4j.argMax(
                    out.get(
                        org.nd4j.linalg.indexing.NDArrayIndex.point(r),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(at)))
                .getInt(0);
        assertEquals(expected, argmax, "row " + r + ", position " + at);
        checked++;
      }
    }
    assertTrue(checked >= 6, "positions checked: " + checked);
  }

  @Test
  void theNearestTrainingImageGivesItsCaption() {
    float[] pixels = {0, 0, 1, 1, 5, 5};
    CaptionNeighbours n = new CaptionNeighbours(0, 2, pixels, new int[][] {{2}, {3, 4}, {5}});
    int[][] nearest =
        n.nearest(Nd4j.create(new float[] {0.9f, 1.2f, 4f, 6f, -1f, 0f}, new long[] {3, 2}, 'c'));
    assertArrayEquals(new int[] {3, 4}, nearest[0]);
    assertArrayEquals(new int[] {5}, nearest[1]);
    assertArrayEquals(new int[] {2}, nearest[2]);
  }
}
