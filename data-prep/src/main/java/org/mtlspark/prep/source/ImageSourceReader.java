package org.mtlspark.prep.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

/**
 * Reads grey images stored as Parquet rows of (key, pixel bytes). Parquet has no line numbers, so a
 * reject names its file and key. A row whose pixel count is not width*height is rejected.
 */
public final class ImageSourceReader {
  public static final String SOURCE = "image";

  private ImageSourceReader() {}

  public static JavaRDD<ParsedRow<byte[]>> read(SparkSession spark, List<String> files, String key, String field,
      int width, int height) {
    Dataset<Row> df = spark.read().parquet(files.toArray(String[]::new));
    checkColumn(df, files, key, DataTypes.StringType);
    checkColumn(df, files, field, DataTypes.BinaryType);
    int expected = width * height;
    return df.select(col(key), col(field), input_file_name()).javaRDD().map(row -> {
      String file = row.getString(2);
      String k = row.isNullAt(0) ? "" : row.getString(0).trim();
      if (k.isEmpty()) {
        return ParsedRow.rejected(new Reject(SOURCE, file, 0, null, key, "missing key", ""));
      }
      if (row.isNullAt(1)) {
        return ParsedRow.rejected(new Reject(SOURCE, file, 0, k, field, "missing pixels", ""));
      }
      byte[] px = (byte[]) row.get(1);
      if (px.length != expected) {
        return ParsedRow.rejected(new Reject(SOURCE, file, 0, k, field,
            "expected " + expected + " pixel bytes (" + width + "x" + height + "), found " + px.length, ""));
      }
      return ParsedRow.ok(k, file, 0, px);
    });
  }

  private static void checkColumn(Dataset<Row> df, List<String> files, String name, DataType type) {
    for (StructField f : df.schema().fields()) {
      if (f.name().equals(name)) {
        if (!f.dataType().equals(type)) {
          throw new IllegalArgumentException("image source " + files.get(0) + ": column \"" + name + "\" is "
              + f.dataType().simpleString() + ", expected " + type.simpleString());
        }
        return;
      }
    }
    throw new IllegalArgumentException("image source " + files.get(0) + ": no column \"" + name
        + "\" (columns: " + String.join(", ", df.columns()) + ")");
  }
}
