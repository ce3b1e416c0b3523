package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.workers.TestBatches;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class ModalityDropoutTest {
  private static final FeaturizerState STATE = TestBatches.state();
  private static final int TABULAR = 0;
  private static final int TEXT = 1;
  private static final int IMAGE = 2;
  private static final int PRESENCE = 3;

  private static MultiDataSet batch(int n) {
    return BatchBuilder.build(TestBatches.examples(STATE, n, 5, false));
  }

  @Test
  void rateZeroLeavesTheBatchAlone() {
    MultiDataSet b = batch(8);
    assertSame(b, new ModalityDropout(0, STATE, 1).apply(b, 0, 0, 0));
  }

  @Test
  void aCaptionIsNeverDroppedNorCountedAsTheModalityThatStays() {
    FeaturizerState s = TestBatches.stateWithCaption();
    MultiDataSet b =
        BatchBuilder.build(
            TestBatches.captionExamples(s, 64, 5, false), BatchBuilder.perToken(s.tasks()));
    MultiDataSet d = new ModalityDropout(0.999, s, 1).apply(b, 0, 0, 0);
    INDArray presence = d.getFeatures(PRESENCE);
    for (int r = 0; r < 64; r++) {
      assertEquals(1.0, presence.getDouble(r, TEXT), "row " + r + " keeps its caption");
      assertEquals(
          1.0,
          presence.getDouble(r, TABULAR) + presence.getDouble(r, IMAGE),
          "row " + r + " keeps one of the table and the image");
    }
    assertEquals(
        b.getLabelsMaskArray(3).sumNumber().doubleValue(),
        d.getLabelsMaskArray(3).sumNumber().doubleValue(),
        "every caption position is still labelled");
  }

  @Test
  void droppedModalitiesAreEncodedAsMissingAndTheLastOneStays() {
    MultiDataSet b = batch(64);
    INDArray before = b.getFeatures(TABULAR).dup();
    MultiDataSet d = new ModalityDropout(0.999, STATE, 1).apply(b, 0, 0, 0);
    assertEquals(before, b.getFeatures(TABULAR), "the stored batch is not changed");
    INDArray presence = d.getFeatures(PRESENCE);
    for (int r = 0; r < 64; r++) {
      assertEquals(
          1.0,
          presence.getRow(r).sumNumber().doubleValue(),
          "row " + r + " keeps exactly one modality");
      if (presence.getDouble(r, TABULAR) == 0) {
        assertEquals(0.0, d.getFeatures(TABULAR).getRow(r).amaxNumber().doubleValue());
      }
      if (presence.getDouble(r, TEXT) == 0) {
        assertEquals(TextVocabulary.NO_TEXT, d.getFeatures(TEXT).getDouble(r, 0));
        assertEquals(
            1.0,
            d.getFeaturesMaskArray(TEXT).getRow(r).sumNumber().doubleValue(),
            "one 'no text' token");
      }
      if (presence.getDouble(r, IMAGE) == 0) {
        assertEquals(0.0, d.getFeatures(IMAGE).getRow(r).amaxNumber().doubleValue());
      }
    }
    assertSame(b.getLabels(0), d.getLabels(0), "labels are untouched");
  }

  @Test
  void eachModalityIsDroppedAtAboutTheRateAndTheDrawsRepeat() {
    MultiDataSet b = batch(2000);
    ModalityDropout dropout = new ModalityDropout(0.2, STATE, 7);
    MultiDataSet d = dropout.apply(b, 3, 1, 42);
    for (int j = 0; j < 3; j++) {
      double dropped = 1 - d.getFeatures(PRESENCE).getColumn(j).meanNumber().doubleValue();
      assertTrue(
          dropped > 0.15 && dropped < 0.23,
          "modality " + j + " dropped in " + dropped + " of the rows");
    }
    assertEquals(
        d.getFeatures(PRESENCE),
        dropout.apply(b, 3, 1, 42).getFeatures(PRESENCE),
        "same place, same draw");
    assertTrue(
        !d.getFeatures(PRESENCE).equals(dropout.apply(b, 4, 1, 42).getFeatures(PRESENCE)),
        "another epoch draws again");
  }

  @Test
  void aDroppedTextLeavesItsTokenTasksNothingToTagAndTheStoredBatchAlone() {
    FeaturizerState state = TestBatches.stateWithTokens();
    MultiDataSet b =
        BatchBuilder.build(
            TestBatches.tokenExamples(state, 64, 5, false), BatchBuilder.perToken(state.tasks()));
    INDArray masksBefore = b.getLabelsMaskArray(3).dup();
    MultiDataSet d = new ModalityDropout(0.999, state, 1).apply(b, 0, 0, 0);
    assertEquals(masksBefore, b.getLabelsMaskArray(3), "the stored batch's token masks stay");
    INDArray presence = d.getFeatures(2);
    int dropped = 0;
    for (int r = 0; r < 64; r++) {
      double tagged = d.getLabelsMaskArray(3).getRow(r).sumNumber().doubleValue();
      if (presence.getDouble(r, 1) == 0) {
        dropped++;
        assertEquals(0.0, tagged, "row " + r + " has no text, so no tags");
      } else {
        assertEquals(masksBefore.getRow(r).sumNumber().doubleValue(), tagged, "row " + r);
      }
      assertEquals(
          b.getLabelsMaskArray(1).getDouble(r, 0),
          d.getLabelsMaskArray(1).getDouble(r, 0),
          "a record task keeps its mask");
    }
    assertTrue(dropped > 10 && dropped < 54, "dropped the text of " + dropped + " rows");
  }

  @Test
  void aDroppedSideLeavesTheRecordNoPairForItsRetrievalTask() {
    FeaturizerState state = TestBatches.stateWithRetrieval();
    MultiDataSet b = BatchBuilder.build(TestBatches.retrievalExamples(state, 64, 6, false));
    MultiDataSet d = new ModalityDropout(0.5, state, 2).apply(b, 0, 0, 0);
    INDArray presence = d.getFeatures(state.inputs().indexOf(ModelInputs.PRESENCE));
    int text = state.modalities().indexOf(ModelInputs.TEXT);
    int image = state.modalities().indexOf(ModelInputs.IMAGE);
    int table = state.modalities().indexOf(ModelInputs.TABULAR);
    int unpaired = 0;
    int tableOnly = 0;
    for (int r = 0; r < 64; r++) {
      boolean pair = presence.getDouble(r, text) > 0 && presence.getDouble(r, image) > 0;
      assertEquals(pair ? 1.0 : 0.0, d.getLabelsMaskArray(3).getDouble(r, 0), "row " + r);
      unpaired += pair ? 0 : 1;
      tableOnly += pair && presence.getDouble(r, table) == 0 ? 1 : 0;
    }
    assertTrue(unpaired > 10, "unpaired rows " + unpaired);
    assertTrue(tableOnly > 0, "a dropped table leaves the pair: " + tableOnly);
    assertEquals(64.0, b.getLabelsMaskArray(3).sumNumber().doubleValue(), "the stored batch stays");
  }
}
