package org.mtlspark.prep.feature;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds a MultiDataSet from examples. Inputs follow {@link FeaturizerState#inputs()}: tabular [mb,
 * width], text token ids [mb, maxTokens] with a feature mask, image [mb, width*height], identifier
 * indices [mb, id columns] (each only when the examples have it), then presence [mb, modalities].
 * One label array per task with a [mb, 1] label mask, always present.
 */
public final class BatchBuilder {
  private BatchBuilder() {}

  /**
   * A batch as row-major float matrices, in the MultiDataSet's order: what {@link BatchPack} stores,
   * without going through ND4J's native arrays.
   */
  public record Arrays(
      int rows,
      List<Matrix> features,
      List<Matrix> featureMasks,
      List<Matrix> labels,
      List<Matrix> labelMasks) {}

  /** A [rows, columns] matrix, row-major. */
  public record Matrix(int columns, float[] values) {}

  public static MultiDataSet build(List<Example> examples) {
    return toMultiDataSet(arrays(examples));
  }

  /** The matrices of a batch of examples. */
  public static Arrays arrays(List<Example> examples) {
    int mb = examples.size();
    Example first = examples.get(0);
    List<Matrix> features = new ArrayList<>();
    List<Matrix> featureMasks = new ArrayList<>();
    if (first.tabular().length > 0) {
      features.add(stack(examples, first.tabular().length, Example::tabular));
      featureMasks.add(null);
    }
    if (first.tokens().length > 0) {
      features.add(stack(examples, first.tokens().length, Example::tokens));
      featureMasks.add(stack(examples, first.tokens().length, Example::tokenMask));
    }
    if (first.pixels().length > 0) {
      features.add(stack(examples, first.pixels().length, Example::pixels));
      featureMasks.add(null);
    }
    if (first.ids().length > 0) {
      features.add(stack(examples, first.ids().length, Example::ids));
      featureMasks.add(null);
    }
    features.add(stack(examples, first.presence().length, Example::presence));
    featureMasks.add(null);
    int tasks = first.labels().length;
    List<Matrix> labels = new ArrayList<>();
    List<Matrix> labelMasks = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      int task = t;
      labels.add(stack(examples, first.labels()[t].length, e -> e.labels()[task]));
      float[] mask = new float[mb];
      for (int i = 0; i < mb; i++) {
        mask[i] = examples.get(i).labelMask()[t];
      }
      labelMasks.add(new Matrix(1, mask));
    }
    return new Arrays(mb, features, featureMasks, labels, labelMasks);
  }

  /** The MultiDataSet of a batch's matrices. */
  public static org.nd4j.linalg.dataset.MultiDataSet toMultiDataSet(Arrays a) {
    return new org.nd4j.linalg.dataset.MultiDataSet(
        nd(a.rows(), a.features()),
        nd(a.rows(), a.labels()),
        nd(a.rows(), a.featureMasks()),
        nd(a.rows(), a.labelMasks()));
  }

  private static INDArray[] nd(int rows, List<Matrix> matrices) {
    INDArray[] out = new INDArray[matrices.size()];
    for (int i = 0; i < out.length; i++) {
      Matrix m = matrices.get(i);
      out[i] = m == null ? null : Nd4j.create(m.values(), new long[] {rows, m.columns()}, 'c');
    }
    return out;
  }

  private static Matrix stack(
      List<Example> examples, int columns, java.util.function.Function<Example, float[]> row) {
    float[] values = new float[examples.size() * columns];
    for (int i = 0; i < examples.size(); i++) {
      System.arraycopy(row.apply(examples.get(i)), 0, values, i * columns, columns);
    }
    return new Matrix(columns, values);
  }
}
