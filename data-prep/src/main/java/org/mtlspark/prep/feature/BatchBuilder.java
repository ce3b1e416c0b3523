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
 * One label array per task with a [mb, 1] label mask, always present; a token task's labels are
 * [mb, tags, maxTokens] with a [mb, maxTokens] mask, 1 where the position has a tag.
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

  /** As {@link #build(List)}, where the tasks flagged in {@code perToken} are token tasks. */
  public static MultiDataSet build(List<Example> examples, boolean[] perToken) {
    return toMultiDataSet(arrays(examples, perToken));
  }

  /** Which of {@code tasks} have labels per position of the text (token and caption tasks), in order. */
  public static boolean[] perToken(List<TaskEncoding> tasks) {
    boolean[] out = new boolean[tasks.size()];
    for (int t = 0; t < out.length; t++) {
      out[t] = tasks.get(t).sequence();
    }
    return out;
  }

  /** The matrices of a batch of examples without token tasks. */
  public static Arrays arrays(List<Example> examples) {
    return arrays(examples, new boolean[examples.get(0).labels().length]);
  }

  /**
   * The matrices of a batch of examples; the tasks flagged in {@code perToken} are token tasks,
   * whose label arrays are class-major over the token positions and whose masks are per position.
   */
  public static Arrays arrays(List<Example> examples, boolean[] perToken) {
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
      if (perToken[t]) {
        labelMasks.add(tokenMask(examples, t, first.tokens().length));
        continue;
      }
      float[] mask = new float[mb];
      for (int i = 0; i < mb; i++) {
        mask[i] = examples.get(i).labelMask()[t];
      }
      labelMasks.add(new Matrix(1, mask));
    }
    return new Arrays(mb, features, featureMasks, labels, labelMasks);
  }

  /**
   * The per-position mask of token task {@code t}: 1 where the example is labelled for the task and
   * the position holds a tag.
   */
  private static Matrix tokenMask(List<Example> examples, int t, int positions) {
    float[] mask = new float[examples.size() * positions];
    for (int i = 0; i < examples.size(); i++) {
      Example e = examples.get(i);
      if (e.labelMask()[t] == 0) {
        continue;
      }
      float[] y = e.labels()[t];
      for (int at = 0; at < y.length; at++) {
        if (y[at] != 0) {
          mask[i * positions + at % positions] = 1;
        }
      }
    }
    return new Matrix(positions, mask);
  }

  /**
   * The MultiDataSet of a batch's matrices. A label array whose mask has more than one column is a
   * token task's: [rows, tags, positions], the positions being the mask's columns.
   */
  public static org.nd4j.linalg.dataset.MultiDataSet toMultiDataSet(Arrays a) {
    INDArray[] labels = nd(a.rows(), a.labels());
    for (int t = 0; t < labels.length; t++) {
      Matrix mask = a.labelMasks().get(t);
      if (mask != null && mask.columns() > 1 && labels[t] != null) {
        int positions = mask.columns();
        labels[t] =
            labels[t].reshape('c', a.rows(), a.labels().get(t).columns() / positions, positions);
      }
    }
    return new org.nd4j.linalg.dataset.MultiDataSet(
        nd(a.rows(), a.features()),
        labels,
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
