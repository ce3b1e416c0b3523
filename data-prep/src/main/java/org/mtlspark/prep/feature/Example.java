package org.mtlspark.prep.feature;

import java.io.Serializable;

/**
 * One featurized record: the model inputs (table, token ids, pixels, identifier indices, presence
 * flags), the token mask, one target per task and one mask flag per task (0 where the label is
 * missing). An input no source provides is an empty array.
 */
public record Example(
    String key,
    float[] tabular,
    float[] tokens,
    float[] tokenMask,
    float[] pixels,
    float[] ids,
    float[] presence,
    float[][] labels,
    float[] labelMask)
    implements Serializable {

  /** An example without identifier columns. */
  public Example(
      String key,
      float[] tabular,
      float[] tokens,
      float[] tokenMask,
      float[] pixels,
      float[] presence,
      float[][] labels,
      float[] labelMask) {
    this(key, tabular, tokens, tokenMask, pixels, new float[0], presence, labels, labelMask);
  }
}
