package org.mtlspark.prep.feature;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a MultiDataSet from examples. Inputs follow {@link FeaturizerState#inputs()}: tabular
 * [mb, width], text token ids [mb, maxTokens] with a feature mask, image [mb, width*height] (each
 * only when the examples have it), then presence [mb, modalities]. One label array per task with a [mb, 1] label mask, always present.
 */
public final class BatchBuilder {
  private BatchBuilder() {}

  public static MultiDataSet build(List<Example> examples) {
    int mb = examples.size();
    Example first = examples.get(0);
    float[][] tabular = new float[mb][];
    float[][] tokens = new float[mb][];
    float[][] tokenMask = new float[mb][];
    float[][] pixels = new float[mb][];
    float[][] presence = new float[mb][];
    int tasks = first.labels().length;
    float[][][] labels = new float[tasks][mb][];
    float[][][] masks = new float[tasks][mb][1];
    for (int i = 0; i < mb; i++) {
      Example e = examples.get(i);
      tabular[i] = e.tabular();
      tokens[i] = e.tokens();
      tokenMask[i] = e.tokenMask();
      pixels[i] = e.pixels();
      presence[i] = e.presence();
      for (int t = 0; t < tasks; t++) {
        labels[t][i] = e.labels()[t];
        masks[t][i][0] = e.labelMask()[t];
      }
    }
    List<INDArray> features = new ArrayList<>();
    List<INDArray> featureMasks = new ArrayList<>();
    if (first.tabular().length > 0) {
      features.add(Nd4j.create(tabular));
      featureMasks.add(null);
    }
    if (first.tokens().length > 0) {
      features.add(Nd4j.create(tokens));
      featureMasks.add(Nd4j.create(tokenMask));
    }
    if (first.pixels().length > 0) {
      features.add(Nd4j.create(pixels));
      featureMasks.add(null);
    }
    features.add(Nd4j.create(presence));
    featureMasks.add(null);
    INDArray[] labelArrays = new INDArray[tasks];
    INDArray[] labelMasks = new INDArray[tasks];
    for (int t = 0; t < tasks; t++) {
      labelArrays[t] = Nd4j.create(labels[t]);
      labelMasks[t] = Nd4j.create(masks[t]);
    }
    return new org.nd4j.linalg.dataset.MultiDataSet(features.toArray(INDArray[]::new), labelArrays,
        featureMasks.toArray(INDArray[]::new), labelMasks);
  }
}
