package org.mtlspark.workers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Entities as conlleval finds them, and a token task's metrics worked out by hand. */
class TokenMetricsTest {
  static Set<Entities.Span> spans(String tags) {
    return Entities.of(tags.split(" "));
  }

  @Test
  void entitiesAreFoundAsConllevalFindsThem() {
    assertEquals(
        Set.of(new Entities.Span(0, 1, "PER"), new Entities.Span(3, 3, "LOC")),
        spans("B-PER I-PER O B-LOC"));
    // IOB1: an I after O starts an entity; a new type starts another.
    assertEquals(
        Set.of(new Entities.Span(1, 2, "ORG"), new Entities.Span(3, 3, "LOC")),
        spans("O I-ORG I-ORG I-LOC"));
    // Two entities of one type side by side: B starts the second.
    assertEquals(
        Set.of(new Entities.Span(0, 0, "PER"), new Entities.Span(1, 2, "PER")),
        spans("B-PER B-PER I-PER"));
    // IOBES.
    assertEquals(
        Set.of(new Entities.Span(0, 2, "ORG"), new Entities.Span(3, 3, "PER")),
        spans("B-ORG I-ORG E-ORG S-PER"));
    assertEquals(Set.of(), spans("O O"));
    assertTrue(Entities.isChunkTagging(List.of("B-LOC", "I-LOC", "O")));
    assertFalse(Entities.isChunkTagging(List.of("NOUN", "VERB")), "parts of speech");
    assertFalse(Entities.isChunkTagging(List.of("O")), "no entity type at all");
  }

  static final List<String> TAGS = List.of("B-PER", "I-PER", "O");

  /** A one-hot [1, tags, positions] array with tag {@code tags[i]} at position i. */
  static INDArray oneHot(int positions, int... tags) {
    INDArray a = Nd4j.zeros(1, TAGS.size(), positions);
    for (int i = 0; i < tags.length; i++) {
      a.putScalar(new long[] {0, tags[i], i}, 1.0);
    }
    return a;
  }

  @Test
  void aTokenTaskCountsTokensAndEntitiesOfTheModelAndOfTheMostFrequentTag() {
    // Token ids 3 ("mr"), 4 ("ann"), 5 ("lee"); in training "ann" was most often O.
    TaskEncoding task =
        new TaskEncoding(
            "ner",
            TaskType.TOKENS,
            "ner",
            1,
            TAGS,
            List.of(10L, 5L, 80L),
            0,
            1,
            20,
            null,
            1.0,
            null,
            "",
            List.of(),
            0,
            List.of(2, 2, 2, 2, 2, 2),
            0);
    TaskAccumulator a = new TaskAccumulator(task);
    // Truth: mr ann lee -> O B-PER I-PER, then a padding position.
    INDArray labels = oneHot(4, 2, 0, 1);
    // The model: O B-PER O (one entity, wrong span); the baseline: O O O.
    INDArray predictions = oneHot(4, 2, 0, 2).mul(0.8).add(0.05);
    INDArray mask = Nd4j.createFromArray(new float[][] {{1, 1, 1, 0}});
    INDArray ids = Nd4j.createFromArray(new float[][] {{3, 4, 5, 0}});
    a.addTokens(predictions, labels, mask, ids);
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals(1, m.examples());
    assertEquals(2.0 / 3, m.metrics().get("accuracy"), 1e-12);
    assertEquals(1.0 / 3, m.baseline().get("accuracy"), 1e-12);
    // One entity predicted (ann alone), none right; one true.
    assertEquals(0.0, m.metrics().get("entity_f1"), 1e-12);
    assertEquals(0.0, m.metrics().get("entity_precision"), 1e-12);
    assertEquals(0.0, m.baseline().get("entity_f1"), 1e-12);
    assertEquals("entity_f1", m.primaryMetric());
    // The loss sums -log p of the true tag over the three tokens.
    double expected = -Math.log(0.85) - Math.log(0.85) - Math.log(0.05);
    assertEquals(expected, m.loss(), 1e-5);

    // A second text, tagged right: in all, one entity right of two predicted, of two true.
    a.addTokens(oneHot(4, 0, 1, 2).mul(0.8).add(0.05), oneHot(4, 0, 1, 2), mask, ids);
    TaskMetrics both = TaskMetrics.of(a);
    assertEquals(0.5, both.metrics().get("entity_precision"), 1e-12);
    assertEquals(0.5, both.metrics().get("entity_recall"), 1e-12);
    assertEquals(5.0 / 6, both.metrics().get("accuracy"), 1e-12);
  }

  @Test
  void partsOfSpeechAreScoredByTokenAccuracy() {
    TaskEncoding task =
        new TaskEncoding(
            "pos",
            TaskType.TOKENS,
            "pos",
            1,
            List.of("NOUN", "VERB"),
            List.of(6L, 4L),
            0,
            1,
            5,
            null,
            1.0,
            null,
            "",
            List.of(),
            0,
            List.of(0, 0, 0, 0),
            0);
    TaskAccumulator a = new TaskAccumulator(task);
    INDArray labels = Nd4j.zeros(1, 2, 2);
    labels.putScalar(new long[] {0, 0, 0}, 1);
    labels.putScalar(new long[] {0, 1, 1}, 1);
    a.addTokens(labels, labels, Nd4j.ones(1, 2), Nd4j.createFromArray(new float[][] {{3, 3}}));
    TaskMetrics m = TaskMetrics.of(a);
    assertEquals("accuracy", m.primaryMetric());
    assertEquals(1.0, m.metrics().get("accuracy"), 1e-12);
    assertEquals(0.5, m.baseline().get("accuracy"), 1e-12);
    assertFalse(m.metrics().containsKey("entity_f1"));
  }
}
