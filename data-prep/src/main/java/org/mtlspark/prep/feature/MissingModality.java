package org.mtlspark.prep.feature;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Makes a modality missing in rows of a built batch, exactly as {@link Featurizer} encodes a
 * record without it: the table's or image's features zero, the text a single "no text" token
 * under the mask, and the modality's presence flag 0; a text removed leaves nothing for the
 * token tasks to tag, so their label masks are cleared in those rows (a featurized record without
 * text has no tags either). Used to remove a modality from whole batches (the ablation of {@code
 * evaluate}) and from random examples (modality dropout).
 */
public final class MissingModality {
  private MissingModality() {}

  /** Removes {@code modality} from the rows of {@code batch} where {@code rows[i]}, in place. */
  public static void remove(
      MultiDataSet batch, FeaturizerState state, String modality, boolean[] rows) {
    int input = state.inputs().indexOf(modality);
    int flag = state.modalities().indexOf(modality);
    if (input < 0 || flag < 0) {
      throw new IllegalArgumentException(
          "the prepared data has no " + modality + " input; it has " + state.inputs());
    }
    INDArray features = batch.getFeatures(input);
    INDArray presence = batch.getFeatures(state.inputs().indexOf(ModelInputs.PRESENCE));
    INDArray tokenMask =
        modality.equals(ModelInputs.TEXT) ? batch.getFeaturesMaskArray(input) : null;
    INDArray noTextIds = null;
    INDArray noTextMask = null;
    if (tokenMask != null) {
      float[] ids = new float[(int) features.size(1)];
      float[] mask = new float[ids.length];
      TextVocabulary.encodeNoText(ids, mask);
      noTextIds = Nd4j.createFromArray(ids).castTo(features.dataType());
      noTextMask = Nd4j.createFromArray(mask).castTo(tokenMask.dataType());
    }
    for (int r = 0; r < rows.length; r++) {
      if (!rows[r]) {
        continue;
      }
      INDArray row = features.get(NDArrayIndex.point(r), NDArrayIndex.all());
      if (tokenMask != null) {
        row.assign(noTextIds);
        tokenMask.get(NDArrayIndex.point(r), NDArrayIndex.all()).assign(noTextMask);
      } else {
        row.assign(0);
      }
      presence.putScalar(r, flag, 0);
      for (int t = 0; t < state.tasks().size(); t++) {
        TaskEncoding task = state.tasks().get(t);
        if (task.retrieval() && task.classes().contains(modality)) {
          batch.getLabelsMaskArray(t).putScalar(r, 0, 0); // no longer a pair
        }
      }
      if (tokenMask != null) {
        for (int t = 0; t < state.tasks().size(); t++) {
          if (state.tasks().get(t).sequence()) {
            batch.getLabelsMaskArray(t).get(NDArrayIndex.point(r), NDArrayIndex.all()).assign(0);
          }
        }
      }
    }
  }

  /** Removes {@code modality} from every row of {@code batch}, in place. */
  public static void removeAll(MultiDataSet batch, FeaturizerState state, String modality) {
    boolean[] rows = new boolean[(int) batch.getFeatures(0).size(0)];
    java.util.Arrays.fill(rows, true);
    remove(batch, state, modality, rows);
  }
}
