package org.mtlspark.prep.source;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;

/** Reads a Parquet source with Spark (see {@link FrameSourceReader}). */
public final class ParquetSourceReader {
  private ParquetSourceReader() {}

  public static JavaRDD<ParsedRow<SourceValues>> read(
      SparkSession spark, List<String> files, RowInterpreter interpreter) {
    return FrameSourceReader.read(
        spark.read().parquet(files.toArray(String[]::new)),
        files.get(0),
        files.size() > 1
            ? "files " + files.get(0) + " and " + (files.size() - 1) + " more have"
            : "file " + files.get(0) + " has",
        interpreter);
  }
}
