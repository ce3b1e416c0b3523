package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig;

/**
 * A caption task's targets: each position's own word, then the end mark; its words are the end
 * mark, the unknown word and the text vocabulary, in that order, and turn back into token ids.
 */
class CaptionLabelsTest {

  /** The class at each of {@code positions} of class-major targets {@code y} (-1: none). */
  static int[] classes(float[] y, int positions) {
    int[] out = new int[positions];
    java.util.Arrays.fill(out, -1);
    for (int i = 0; i < y.length; i++) {
      if (y[i] != 0) {
        assertEquals(-1, out[i % positions], "one class per position");
        out[i % positions] = i / positions;
      }
    }
    return out;
  }

  @Test
  void eachPositionTargetsItsOwnWordAndTheEndMarkFollowsTheLast() {
    List<String> words = TaskEncoding.captionClasses(List.of("a", "three", "left"));
    assertEquals(List.of("<end>", "<unknown>", "a", "three", "left"), words);
    // "a three <unknown>" in 5 positions.
    float[] tokens = {3, 4, TextVocabulary.UNKNOWN, 0, 0};
    float[] mask = {1, 1, 1, 0, 0};
    float[] y = new float[words.size() * 5];
    assertTrue(Featurizer.captionWords(tokens, mask, y));
    assertArrayEquals(
        new int[] {2, 3, TaskEncoding.UNKNOWN_WORD, TaskEncoding.END, -1}, classes(y, 5));
    // A text that fills every position was cut: no end mark.
    float[] full = new float[words.size() * 2];
    assertTrue(Featurizer.captionWords(new float[] {5, 3}, new float[] {1, 1}, full));
    assertArrayEquals(new int[] {4, 2}, classes(full, 2));
    // No words (a record without text is encoded as one "no text" token): no caption.
    float[] none = new float[words.size() * 3];
    assertFalse(
        Featurizer.captionWords(
            new float[] {TextVocabulary.NO_TEXT, 0, 0}, new float[] {1, 0, 0}, none));
    assertEquals(0, classes(none, 3)[0] + 1, "nothing written");
  }

  @Test
  void aWordsClassTurnsBackIntoItsTokenId() {
    for (int id = TextVocabulary.FIRST_TOKEN; id < 40; id++) {
      assertEquals(id, TaskEncoding.captionToken(TaskEncoding.captionClass(id)));
    }
    assertEquals(TextVocabulary.UNKNOWN, TaskEncoding.captionToken(TaskEncoding.UNKNOWN_WORD));
    assertEquals(TaskEncoding.UNKNOWN_WORD, TaskEncoding.captionClass(TextVocabulary.NO_TEXT));
    assertEquals(-1, TaskEncoding.captionToken(TaskEncoding.END));
  }

  @Test
  void aCaptionTasksLabelsArePerPositionInTheBatch() {
    TaskEncoding caption =
        new TaskEncoding(
            "d",
            TaskConfig.TaskType.CAPTION,
            "d",
            1,
            TaskEncoding.captionClasses(List.of("x", "y")),
            List.of(0L, 0L, 0L, 0L),
            0,
            1,
            10);
    assertTrue(caption.sequence());
    assertFalse(caption.perToken());
    assertFalse(caption.recordLabels());
    assertEquals(4 * 6, caption.labelWidth(6));
    assertArrayEquals(new boolean[] {true}, BatchBuilder.perToken(List.of(caption)));
    // Two words in 6 positions: the mask covers them and the end mark's position; a record
    // without a caption has none.
    float[] tokens = {3, 4, 0, 0, 0, 0};
    float[] mask = {1, 1, 0, 0, 0, 0};
    float[] y = new float[4 * 6];
    assertTrue(Featurizer.captionWords(tokens, mask, y));
    Example with =
        new Example(
            "a",
            new float[0],
            tokens,
            mask,
            new float[0],
            new float[] {1},
            new float[][] {y},
            new float[] {1});
    Example without =
        new Example(
            "b",
            new float[0],
            tokens,
            mask,
            new float[0],
            new float[] {1},
            new float[][] {new float[24]},
            new float[] {0});
    org.nd4j.linalg.dataset.api.MultiDataSet batch =
        BatchBuilder.build(List.of(with, without), BatchBuilder.perToken(List.of(caption)));
    assertArrayEquals(
        new float[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0},
        batch.getLabelsMaskArray(0).dup('c').data().asFloat());
    assertArrayEquals(new long[] {2, 4, 6}, batch.getLabels(0).shape());
  }

  @Test
  void dataToCaptionNeedNotHaveTheCaptionColumn() {
    org.mtlspark.config.MtlConfig config =
        org.mtlspark.config.ConfigLoader.fromYaml(
            """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s.csv, text: caption, image: picture}
        tasks:
          - {name: d, type: caption, source: s, column: caption}
        """,
            "caption.yaml");
    org.mtlspark.prep.source.RowInterpreter prep =
        new org.mtlspark.prep.source.RowInterpreter(
            config.data().source("s"),
            config.data().key(),
            config.tasksOf("s"),
            "NA",
            config.prep().image());
    assertTrue(prep.requiredColumns().contains("caption"), "prep needs the captions");
    assertFalse(
        prep.withOptionalLabels().requiredColumns().contains("caption"),
        "new images to caption come without");
    assertTrue(prep.withOptionalLabels().requiredColumns().contains("picture"));
  }
}
