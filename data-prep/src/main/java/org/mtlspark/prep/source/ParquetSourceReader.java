package org.mtlspark.prep.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;

/**
 * Reads a Parquet source with Spark. Its schema is checked against the configured columns before
 * any row is read. Parquet has no line numbers: a reject names its file and key (line 0).
 */
public final class ParquetSourceReader {
  private ParquetSourceReader() {}

  public static JavaRDD<ParsedRow<SourceValues>> read(
      SparkSession spark, List<String> files, RowInterpreter interpreter) {
    Dataset<Row> df = spark.read().parquet(files.toArray(String[]::new));
    List<String> columns = List.of(df.columns());
    List<String> missing =
        interpreter.requiredColumns().stream().filter(c -> !columns.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new PrepException(
          "source "
              + interpreter.sourceName()
              + ": "
              + (files.size() > 1
                  ? "files " + files.get(0) + " and " + (files.size() - 1) + " more have "
                  : "file " + files.get(0) + " has ")
              + MissingColumns.describe(missing, columns));
    }
    List<String> wanted = interpreter.requiredColumns();
    List<Column> select = new ArrayList<>();
    wanted.forEach(c -> select.add(col("`" + c + "`")));
    select.add(input_file_name());
    Map<String, Integer> at = new HashMap<>();
    boolean[] isArray = new boolean[wanted.size()];
    for (int i = 0; i < wanted.size(); i++) {
      at.put(wanted.get(i), i);
      isArray[i] = df.schema().apply(wanted.get(i)).dataType() instanceof ArrayType;
    }
    int fileAt = wanted.size();
    return df.select(select.toArray(Column[]::new))
        .javaRDD()
        .map(
            row -> {
              String file = row.getString(fileAt);
              Cells cells =
                  column -> {
                    Integer i = at.get(column);
                    if (i == null || row.isNullAt(i)) {
                      return null;
                    }
                    if (isArray[i]) {
                      List<String> out = new ArrayList<>();
                      row.getList(i).forEach(v -> out.add(String.valueOf(v)));
                      return out;
                    }
                    return row.get(i);
                  };
              return interpreter.interpret(file, 0, cells, describe(row, wanted));
            });
  }

  /** A short text of the row's small cells, for the reject file. */
  private static String describe(Row row, List<String> columns) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < columns.size(); i++) {
      Object v = row.isNullAt(i) ? null : row.get(i);
      sb.append(i == 0 ? "" : ", ")
          .append(columns.get(i))
          .append('=')
          .append(v instanceof byte[] b ? "<" + b.length + " bytes>" : v);
    }
    return sb.toString();
  }
}
