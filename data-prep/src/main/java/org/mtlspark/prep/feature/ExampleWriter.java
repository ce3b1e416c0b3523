package org.mtlspark.prep.feature;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Writes featurized examples as Parquet, one row per record: the key (its columns joined by
 * U+001F when composite), one array column per model input in use, and per task its target
 * ({@code label_<task>}) and mask ({@code mask_<task>}, 0 when the label is missing). These are
 * exactly the rows the batches hold, for inspection and for other tools.
 */
public final class ExampleWriter {
  private ExampleWriter() {}

  public static void write(SparkSession spark, JavaRDD<Example> examples, FeaturizerState state, String dir) {
    List<String> inputs = state.inputs();
    StructType schema = new StructType().add("key", DataTypes.StringType, false);
    for (String input : inputs) {
      schema = schema.add(input, DataTypes.createArrayType(DataTypes.FloatType, false), false);
      if (input.equals(ModelInputs.TEXT)) {
        schema = schema.add("text_mask", DataTypes.createArrayType(DataTypes.FloatType, false), false);
      }
    }
    for (TaskEncoding t : state.tasks()) {
      schema = schema.add("label_" + t.name(), DataTypes.createArrayType(DataTypes.FloatType, false), false)
          .add("mask_" + t.name(), DataTypes.FloatType, false);
    }
    JavaRDD<Row> rows = examples.map(e -> {
      List<Object> cells = new ArrayList<>();
      cells.add(e.key());
      for (String input : inputs) {
        switch (input) {
          case ModelInputs.TABULAR -> cells.add(boxed(e.tabular()));
          case ModelInputs.TEXT -> {
            cells.add(boxed(e.tokens()));
            cells.add(boxed(e.tokenMask()));
          }
          case ModelInputs.IMAGE -> cells.add(boxed(e.pixels()));
          default -> cells.add(boxed(e.presence()));
        }
      }
      for (int t = 0; t < e.labels().length; t++) {
        cells.add(boxed(e.labels()[t]));
        cells.add(e.labelMask()[t]);
      }
      return RowFactory.create(cells.toArray());
    });
    // Feature values rarely repeat: dictionary encoding would only cost time.
    spark.createDataFrame(rows, schema).write().mode(SaveMode.ErrorIfExists)
        .option("parquet.enable.dictionary", "false").parquet(dir);
  }

  private static Float[] boxed(float[] v) {
    Float[] out = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}
