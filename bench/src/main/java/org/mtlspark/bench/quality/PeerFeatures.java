package org.mtlspark.bench.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;

/**
 * The features the peer models learn from, built from the examples prep writes ({@code
 * <prep>/examples/<split>/}) so that they see the same columns as our networks: the tabular array as
 * it is (standardized numbers, one-hot categories, hashed buckets, quantile bins), the text as a
 * {@link BagOfWords} of counts over the vocabulary, the image's pixels as they are, each identifier
 * column as its vocabulary index (most frequent first, 0 for any other), then the modalities'
 * presence flags; one sparse MLlib vector per example, in that order.
 */
public final class PeerFeatures implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The column of the feature vectors. */
  public static final String FEATURES = "features";

  private final List<String> inputs;
  private final int[] widths;

  public PeerFeatures(FeaturizerState state) {
    this(state, 0);
  }

  /**
   * Features with the text as counts of the {@code words} most frequent words of the vocabulary
   * only (0: all of them).
   */
  public PeerFeatures(FeaturizerState state, int words) {
    int vocabulary = state.vocabulary().size();
    int textWidth = words == 0 ? vocabulary : Math.min(words, vocabulary);
    inputs = List.copyOf(state.inputs());
    widths = new int[inputs.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] =
          switch (inputs.get(i)) {
            case ModelInputs.TABULAR -> state.tabularWidth();
            case ModelInputs.TEXT -> textWidth;
            case ModelInputs.IMAGE -> state.imageValues();
            case ModelInputs.IDS -> state.idColumns().size();
            default -> state.modalities().size();
          };
    }
  }

  /** The length of a feature vector. */
  public int size() {
    int n = 0;
    for (int w : widths) {
      n += w;
    }
    return n;
  }

  /**
   * One split's examples: the key, the feature vector, and every task's label array and mask as prep
   * wrote them.
   */
  public Dataset<Row> read(
      SparkSession spark, String prepDir, String split, List<TaskEncoding> tasks) {
    List<Column> columns = new ArrayList<>();
    columns.add(functions.col("key"));
    inputs.forEach(i -> columns.add(functions.col(i)));
    StructType schema =
        new StructType().add("key", DataTypes.StringType).add(FEATURES, SQLDataTypes.VectorType());
    for (TaskEncoding t : tasks) {
      columns.add(functions.col("label_" + t.name()));
      columns.add(functions.col("mask_" + t.name()));
      schema =
          schema
              .add("label_" + t.name(), DataTypes.createArrayType(DataTypes.FloatType))
              .add("mask_" + t.name(), DataTypes.FloatType);
    }
    int labelColumns = 2 * tasks.size();
    JavaRDD<Row> rows =
        spark
            .read()
            .parquet(prepDir + "/examples/" + split)
            .select(columns.toArray(new Column[0]))
            .toJavaRDD()
            .map(
                r -> {
                  Object[] out = new Object[2 + labelColumns];
                  out[0] = r.getString(0);
                  List<?>[] arrays = new List<?>[inputs.size()];
                  for (int i = 0; i < arrays.length; i++) {
                    arrays[i] = r.isNullAt(1 + i) ? null : r.getList(1 + i);
                  }
                  out[1] = vector(arrays);
                  for (int c = 0; c < labelColumns; c++) {
                    out[2 + c] = r.get(1 + inputs.size() + c);
                  }
                  return RowFactory.create(out);
                });
    return spark.createDataFrame(rows, schema);
  }

  /**
   * The feature vector of an example from its input arrays, in input order (null or empty: an
   * input the example has no values of, all 0).
   */
  Vector vector(List<?>... arrays) {
    int nonZero = 0;
    List<int[]> indexParts = new ArrayList<>();
    List<double[]> valueParts = new ArrayList<>();
    int offset = 0;
    for (int i = 0; i < inputs.size(); i++) {
      List<?> values = arrays[i] == null ? List.of() : arrays[i];
      int[] idx;
      double[] val;
      if (inputs.get(i).equals(ModelInputs.TEXT)) {
        int[] ids = new int[values.size()];
        for (int j = 0; j < ids.length; j++) {
          ids[j] = ((Number) values.get(j)).intValue();
        }
        BagOfWords bag = BagOfWords.of(ids, widths[i]);
        idx = bag.indices().clone();
        val = bag.counts();
      } else {
        int n = 0;
        int limit = Math.min(values.size(), widths[i]);
        for (int j = 0; j < limit; j++) {
          n += ((Number) values.get(j)).doubleValue() != 0 ? 1 : 0;
        }
        idx = new int[n];
        val = new double[n];
        n = 0;
        for (int j = 0; j < limit; j++) {
          double v = ((Number) values.get(j)).doubleValue();
          if (v != 0) {
            idx[n] = j;
            val[n++] = v;
          }
        }
      }
      for (int j = 0; j < idx.length; j++) {
        idx[j] += offset;
      }
      indexParts.add(idx);
      valueParts.add(val);
      nonZero += idx.length;
      offset += widths[i];
    }
    int[] indices = new int[nonZero];
    double[] values = new double[nonZero];
    int at = 0;
    for (int p = 0; p < indexParts.size(); p++) {
      System.arraycopy(indexParts.get(p), 0, indices, at, indexParts.get(p).length);
      System.arraycopy(valueParts.get(p), 0, values, at, valueParts.get(p).length);
      at += indexParts.get(p).length;
    }
    return Vectors.sparse(offset, indices, values).compressed();
  }
}
