package org.mtlspark.prep.feature;

import java.io.Serializable;

/**
 * One featurized record: the four model inputs, the token mask, one target per task and one mask
 * flag per task (0 where the label is missing).
 */
public record Example(
    String key,
    float[] tabular,
    float[] tokens,
    float[] tokenMask,
    float[] pixels,
    float[] presence,
    float[][] labels,
    float[] labelMask)
    implements Serializable {}
