package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Words the vocabulary never saw, learnt through their character trigrams: every training and test
 * review is "the food was W", where W is a word made up for that review alone, "good" or "bad" with
 * a random tail, and the label is which one. Without trigrams every W is the unknown token, so
 * every review reads the same and the test accuracy is the class share; with them the shared
 * trigrams of "good" and "bad" carry the label to words never seen.
 */
class CharTrigramsLearningTest {
  private static final List<String> VOCABULARY = List.of("the", "food", "was");
  private static final int TOKENS = 12;

  @Test
  void wordsNeverSeenAreLearntThroughTheirTrigramsAndNotWithoutThem() {
    double with = testAccuracy(512);
    double without = testAccuracy(0);
    assertEquals(0.5, without, 1e-9, "without trigrams every review is the same input");
    assertTrue(with >= 0.9, "with trigrams, test accuracy on unseen words: " + with);
  }

  /** Test accuracy of a network trained on 400 reviews, on 200 others, balanced. */
  private static double testAccuracy(int buckets) {
    FeaturizerState state = state().withCharBuckets(buckets);
    TextVocabulary vocabulary = new TextVocabulary(VOCABULARY, buckets);
    MtlConfig config = ConfigLoader.load(List.of(), List.of());
    ComputationGraph g = GraphBuilder.build(state, config.model(), config.train(), 11);
    List<Example> train = reviews(vocabulary, 400, new Random(1));
    for (int epoch = 0; epoch < 20; epoch++) {
      for (int from = 0; from < train.size(); from += 32) {
        g.fit(BatchBuilder.build(train.subList(from, Math.min(train.size(), from + 32))));
      }
    }
    List<Example> test = reviews(vocabulary, 200, new Random(2));
    MultiDataSet b = BatchBuilder.build(test);
    INDArray p = g.output(false, b.getFeatures(), b.getFeaturesMaskArrays())[0];
    int right = 0;
    for (int i = 0; i < test.size(); i++) {
      boolean good = test.get(i).labels()[0][0] == 1;
      right += (p.getDouble(i, 0) > 0.5) == good ? 1 : 0;
    }
    return right / (double) test.size();
  }

  /** {@code n} reviews, alternately good and bad, each with a word of its own. */
  private static List<Example> reviews(TextVocabulary vocabulary, int n, Random r) {
    List<Example> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      boolean good = i % 2 == 0;
      StringBuilder word = new StringBuilder(good ? "good" : "bad");
      for (int c = 0; c < 4; c++) {
        word.append((char) ('a' + r.nextInt(26)));
      }
      float[] ids = new float[TOKENS];
      float[] mask = new float[TOKENS];
      vocabulary.encode("the food was " + word, TOKENS, ids, mask);
      out.add(
          new Example(
              "r" + i,
              new float[0],
              ids,
              mask,
              new float[0],
              new float[0],
              new float[] {1},
              new float[][] {{good ? 1 : 0}},
              new float[] {1}));
    }
    return out;
  }

  private static FeaturizerState state() {
    return new FeaturizerState(
        List.of(ModelInputs.TEXT),
        List.of(),
        List.of(),
        List.of(),
        false,
        List.of(),
        List.of(),
        List.of(),
        2,
        TOKENS,
        VOCABULARY,
        4,
        4,
        List.of(
            new TaskEncoding(
                "great",
                TaskConfig.TaskType.BINARY,
                "great",
                1.0,
                List.of("0", "1"),
                List.of(200L, 200L),
                0,
                1,
                400)));
  }
}
