package org.mtlspark.workers.train;

import java.io.Serializable;
import java.util.SplittableRandom;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.MissingModality;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Modality dropout for training: each example loses each modality it has with probability {@code
 * rate}, but never its last one, encoded exactly as prep encodes a record without that modality
 * (zero features, flag 0). The model thus learns not to lean on any one modality, and to do well
 * when one is missing at scoring time. Draws depend only on the seed and the batch's place in
 * training, so a retried task drops the same modalities.
 */
public record ModalityDropout(double rate, FeaturizerState state, long seed)
    implements Serializable {

  /** No dropout. */
  public static ModalityDropout none(FeaturizerState state) {
    return new ModalityDropout(0, state, 0);
  }

  public boolean active() {
    return rate > 0 && state != null && state.modalities().size() > 1;
  }

  /**
   * {@code batch} itself when inactive, else a copy with modalities dropped; {@code place}
   * identifies the draw (e.g. epoch, worker, batch index).
   */
  public MultiDataSet apply(MultiDataSet batch, long... place) {
    if (!active()) {
      return batch;
    }
    long h = seed * 0x9E3779B97F4A7C15L;
    for (long p : place) {
      h = (h ^ p) * 0xBF58476D1CE4E5B9L;
      h ^= h >>> 31;
    }
    SplittableRandom random = new SplittableRandom(h);
    MultiDataSet copy = copy(batch);
    INDArray presence = copy.getFeatures(state.inputs().indexOf(ModelInputs.PRESENCE));
    int rows = (int) presence.size(0);
    int m = state.modalities().size();
    boolean[][] drop = new boolean[m][rows];
    int[] order = new int[m];
    // A text that a caption task writes is its label, not an input: never dropped, never counted.
    int caption =
        state.tasks().stream().anyMatch(TaskEncoding::caption)
            ? state.modalities().indexOf(ModelInputs.TEXT)
            : -1;
    for (int r = 0; r < rows; r++) {
      int present = 0;
      for (int j = 0; j < m; j++) {
        order[j] = j;
        present += j != caption && presence.getDouble(r, j) > 0 ? 1 : 0;
      }
      for (int j = m - 1; j > 0; j--) {
        int k = random.nextInt(j + 1);
        int t = order[j];
        order[j] = order[k];
        order[k] = t;
      }
      for (int j : order) {
        if (j != caption
            && present > 1
            && presence.getDouble(r, j) > 0
            && random.nextDouble() < rate) {
          drop[j][r] = true;
          present--;
        }
      }
    }
    for (int j = 0; j < m; j++) {
      MissingModality.remove(copy, state, state.modalities().get(j), drop[j]);
    }
    return copy;
  }

  /**
   * The features, feature masks and label masks copied (they are changed: a token task's mask is
   * cleared where the text is dropped); labels shared.
   */
  private static MultiDataSet copy(MultiDataSet b) {
    INDArray[] features = b.getFeatures().clone();
    for (int i = 0; i < features.length; i++) {
      features[i] = features[i].dup();
    }
    INDArray[] masks = b.getFeaturesMaskArrays() == null ? null : b.getFeaturesMaskArrays().clone();
    if (masks != null) {
      for (int i = 0; i < masks.length; i++) {
        masks[i] = masks[i] == null ? null : masks[i].dup();
      }
    }
    INDArray[] labelMasks =
        b.getLabelsMaskArrays() == null ? null : b.getLabelsMaskArrays().clone();
    if (labelMasks != null) {
      for (int i = 0; i < labelMasks.length; i++) {
        labelMasks[i] = labelMasks[i] == null ? null : labelMasks[i].dup();
      }
    }
    return new org.nd4j.linalg.dataset.MultiDataSet(features, b.getLabels(), masks, labelMasks);
  }
}
