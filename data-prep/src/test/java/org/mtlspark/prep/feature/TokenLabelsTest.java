package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.SourceValues;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A token task's labels: a one-hot tag per position, class-major; a mask per position in the
 * batch; a text whose tags do not line up, or a tag never seen in training, left unlabelled.
 */
class TokenLabelsTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [id]
        sources:
          - {name: s, format: csv, path: s, text: text}
      tasks:
        - {name: ner, type: tokens, source: s, column: tags}
        - {name: mood, type: binary, source: s, column: mood}
      prep:
        text: {split: whitespace, lowercase: false}
      """,
          "tokens.yaml");

  static final FeaturizerState STATE =
      new FeaturizerState(
              List.of(ModelInputs.TEXT),
              List.of(),
              List.of(),
              List.of(),
              false,
              List.of(),
              List.of(),
              List.of(),
              1,
              4,
              List.of("Ann", "met"),
              1,
              1,
              List.of(
                  new TaskEncoding(
                      "ner",
                      TaskType.TOKENS,
                      "tags",
                      1,
                      List.of("B-PER", "O"),
                      List.of(2L, 5L),
                      0,
                      1,
                      3,
                      null,
                      1.0,
                      null,
                      "",
                      List.of(),
                      0,
                      List.of(1, 1, 1, 0, 1),
                      0),
                  new TaskEncoding(
                      "mood",
                      TaskType.BINARY,
                      "mood",
                      1,
                      List.of("0", "1"),
                      List.of(1L, 2L),
                      0,
                      1,
                      3)))
          .withTokens(true, true, false);

  static Example featurize(String text, String tags, String mood) {
    SourceValues v =
        new SourceValues(new double[0], new String[0], text, null, new String[] {tags, mood}, null);
    AlignedRecord r =
        new AlignedRecord(
            "k", new SourceValues[] {v}, AlignedRecord.Status.USABLE, null, new int[1]);
    return new Featurizer(STATE, new RecordLayout(CONFIG)).featurize(r);
  }

  @Test
  void tagsAreOneHotPerPositionAndTheBatchMasksPositionsWithATag() {
    Example good = featurize("Ann met Bob", "B-PER O B-PER", "1");
    // Class-major over 4 positions: B-PER at 0 and 2, O at 1; position 3 is padding.
    assertArrayEquals(new float[] {1, 0, 1, 0, 0, 1, 0, 0}, good.labels()[0]);
    assertArrayEquals(new float[] {1, 1}, good.labelMask());
    Example mismatched = featurize("Ann met Bob", "B-PER O", "0");
    assertArrayEquals(new float[] {0, 1}, mismatched.labelMask(), "two tags for three tokens");
    Example unseenTag = featurize("Ann met", "B-ORG O", "1");
    Example noTags = featurize("Ann", null, "1");

    boolean[] perToken = BatchBuilder.perToken(STATE.tasks());
    assertArrayEquals(new boolean[] {true, false}, perToken);
    MultiDataSet batch = BatchBuilder.build(List.of(good, mismatched, unseenTag, noTags), perToken);
    assertArrayEquals(new long[] {4, 2, 4}, batch.getLabels(0).shape());
    assertEquals(1.0, batch.getLabels(0).getDouble(0, 0, 2), "B-PER at position 2 of text 0");
    assertArrayEquals(
        new float[][] {{1, 1, 1, 0}, {0, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 0, 0}},
        batch.getLabelsMaskArray(0).toFloatMatrix());
    assertArrayEquals(new long[] {4, 1}, batch.getLabelsMaskArray(1).shape());
    // Packed and read back, the batch keeps its shapes.
    MultiDataSet back =
        BatchBuilder.toMultiDataSet(
            BatchBuilder.arrays(List.of(good, mismatched, unseenTag, noTags), perToken));
    assertEquals(batch.getLabels(0), back.getLabels(0));
  }

  @Test
  void theTokensKeepTheirCaseAndTheStateRoundTripsThroughJson() throws Exception {
    Example e = featurize("Ann ann met", "B-PER O O", "1");
    assertArrayEquals(
        new float[] {3, TextVocabulary.UNKNOWN, 4, 0}, e.tokens(), "Ann is known, ann is not");
    ObjectMapper json = new ObjectMapper();
    FeaturizerState back = json.readValue(json.writeValueAsString(STATE), FeaturizerState.class);
    assertEquals(STATE, back);
    assertEquals(List.of(1, 1, 1, 0, 1), back.tasks().get(0).tokenTags());
  }
}
