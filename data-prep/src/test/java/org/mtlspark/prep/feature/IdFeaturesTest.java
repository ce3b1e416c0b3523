package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.SourceValues;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Identifier columns: their vocabulary, their indices, and the ids modality. */
class IdFeaturesTest {
  /** Ratings with a numeric column and two id columns; a second source with one id column. */
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [user, item]
        sources:
          - {name: ratings, format: csv, path: r, numeric: [hour], ids: [user, item]}
          - {name: items, format: csv, path: i, key: [item], ids: [maker]}
      tasks:
        - {name: rating, type: regression, source: ratings, column: rating}
      """,
          "test.yaml");

  static final RecordLayout LAYOUT = new RecordLayout(CONFIG);

  static final FeaturizerState STATE =
      FeaturizerState.numbers(
              List.of("ratings.hour"),
              List.of(12.0),
              List.of(6.0),
              List.of(
                  new TaskEncoding(
                      "rating", TaskType.REGRESSION, "rating", 1, List.of(), List.of(), 3, 1, 9)))
          .withIds(
              List.of("ratings.user", "ratings.item", "items.maker"),
              List.of(List.of("u2", "u1"), List.of("i9"), List.of("acme", "zeta")));

  private static AlignedRecord record(SourceValues ratings, SourceValues items) {
    return new AlignedRecord(
        "k", new SourceValues[] {ratings, items}, AlignedRecord.Status.USABLE, null, new int[4]);
  }

  private static SourceValues ratings(String user, String item) {
    return new SourceValues(
        new double[] {18}, new String[] {user, item}, null, null, new String[] {"4"}, null);
  }

  private static SourceValues items(String maker) {
    return new SourceValues(new double[0], new String[] {maker}, null, null, new String[0], null);
  }

  @Test
  void theLayoutFindsTheIdColumnsAfterTheOtherCellsOfTheirSource() {
    assertEquals(
        List.of("ratings.user", "ratings.item", "items.maker"),
        LAYOUT.ids().stream().map(RecordLayout.Ref::name).toList());
    assertEquals(
        List.of(ModelInputs.TABULAR, ModelInputs.IDS),
        ModelInputs.modalities(LAYOUT),
        "ids are a modality of their own, after the others");
  }

  @Test
  void theVocabularyKeepsIdsSeenMinCountTimesMostFrequentFirstUpToTheCap() {
    Map<String, Long> counts = Map.of("a", 5L, "b", 1L, "c", 2L, "d", 5L, "e", 3L);
    assertEquals(List.of("a", "d", "e", "c"), FeaturizerFitter.idVocabulary(counts, 2, 100));
    assertEquals(List.of("a", "d", "e", "c", "b"), FeaturizerFitter.idVocabulary(counts, 1, 100));
    assertEquals(
        List.of("a", "d"),
        FeaturizerFitter.idVocabulary(counts, 1, 2),
        "the most frequent, ties by id");
    assertEquals(List.of(), FeaturizerFitter.idVocabulary(counts, 6, 100));
  }

  @Test
  void anIdBecomesOnePlusItsPlaceInTheVocabularyAndAnyOtherIdZero() {
    Featurizer f = new Featurizer(STATE, LAYOUT);
    Example known = f.featurize(record(ratings("u1", "i9"), items("zeta")));
    assertArrayEquals(new float[] {2, 1, 2}, known.ids());
    assertArrayEquals(new float[] {1, 1}, known.presence(), "tabular, ids");
    Example unseen = f.featurize(record(ratings("u7", "i9"), items("nobody")));
    assertArrayEquals(new float[] {0, 1, 0}, unseen.ids(), "ids unseen in training: index 0");
    Example missing = f.featurize(record(ratings(null, "i9"), null));
    assertArrayEquals(
        new float[] {0, 1, 0}, missing.ids(), "a missing cell and a missing row: index 0");
    assertArrayEquals(new float[] {1, 1}, missing.presence());
    Example none = f.featurize(record(null, items("acme")));
    assertArrayEquals(new float[] {0, 0, 1}, none.ids());
    assertArrayEquals(
        new float[] {0, 1}, none.presence(), "ids present: a source with ids has a row");
    assertArrayEquals(new float[] {0, 0, 0}, f.padding().ids());
  }

  @Test
  void batchesCarryTheIdsAfterTheOtherModalitiesAndMissingModalityZeroesThem() {
    Featurizer f = new Featurizer(STATE, LAYOUT);
    MultiDataSet mds =
        BatchBuilder.build(
            List.of(
                f.featurize(record(ratings("u2", "i9"), items("acme"))),
                f.featurize(record(ratings("u1", "i9"), items("zeta")))));
    assertEquals(List.of("tabular", "ids", "presence"), STATE.inputs());
    assertEquals(
        Nd4jRows.of(new float[][] {{1, 1, 1}, {2, 1, 2}}),
        Nd4jRows.of(mds.getFeatures(1).toFloatMatrix()));
    MissingModality.remove(mds, STATE, ModelInputs.IDS, new boolean[] {false, true});
    assertEquals(
        Nd4jRows.of(new float[][] {{1, 1, 1}, {0, 0, 0}}),
        Nd4jRows.of(mds.getFeatures(1).toFloatMatrix()),
        "a removed ids modality: every id unknown");
    assertEquals(
        Nd4jRows.of(new float[][] {{1, 1}, {1, 0}}),
        Nd4jRows.of(mds.getFeatures(2).toFloatMatrix()),
        "and its presence flag 0");
  }

  @Test
  void theStateWithItsVocabulariesRoundTripsThroughJsonAndAnOldOneHasNoIds() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertEquals(STATE, json.readValue(json.writeValueAsString(STATE), FeaturizerState.class));
    assertEquals(3, STATE.idVocabularySize(0));
    var old = json.createObjectNode();
    json.valueToTree(STATE)
        .fields()
        .forEachRemaining(
            e -> {
              if (!e.getKey().startsWith("id")) {
                old.set(e.getKey(), e.getValue());
              }
            });
    FeaturizerState back = json.treeToValue(old, FeaturizerState.class);
    assertEquals(List.of(), back.idColumns(), "a manifest written before ids existed");
    assertEquals(List.of(), back.idVocabularies());
  }

  /** Float matrices compared by value. */
  private record Nd4jRows(List<List<Float>> rows) {
    static Nd4jRows of(float[][] m) {
      List<List<Float>> rows = new java.util.ArrayList<>();
      for (float[] row : m) {
        List<Float> r = new java.util.ArrayList<>();
        for (float v : row) {
          r.add(v);
        }
        rows.add(r);
      }
      return new Nd4jRows(rows);
    }
  }
}
