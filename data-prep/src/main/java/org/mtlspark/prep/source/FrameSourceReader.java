package org.mtlspark.prep.source;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Reads a source that Spark reads into a DataFrame (Parquet files, a table, any {@code spark.read}
 * format). Its schema is checked against the configured columns before any row is read. Such rows
 * have no line numbers: a reject names the row's file when Spark knows it, else {@code origin}
 * (the table), with line 0, and its key.
 */
public final class FrameSourceReader {
  private FrameSourceReader() {}

  /**
   * The parsed rows of {@code frame}; {@code origin} names where the rows come from in messages
   * ("file F has", "table T has") and stands for the file of a row Spark knows no file of.
   */
  public static JavaRDD<ParsedRow<SourceValues>> read(
      Dataset<Row> frame, String origin, String has, RowInterpreter interpreter) {
    List<String> columns = List.of(frame.columns());
    List<String> wanted = interpreter.requiredColumns();
    List<String> missing = wanted.stream().filter(c -> !columns.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new PrepException(
          "source "
              + interpreter.sourceName()
              + ": "
              + has
              + " "
              + MissingColumns.describe(missing, columns));
    }
    List<Column> select = new ArrayList<>();
    wanted.forEach(c -> select.add(col("`" + c + "`")));
    select.add(input_file_name().as("\u0000file"));
    Dataset<Row> selected = frame.select(select.toArray(Column[]::new));
    RowCells cells = new RowCells(selected.schema(), wanted);
    int fileAt = wanted.size();
    return selected
        .javaRDD()
        .map(
            row -> {
              String file = row.isNullAt(fileAt) ? "" : row.getString(fileAt);
              return interpreter.interpret(
                  file.isEmpty() ? origin : file, 0, cells.of(row), cells.describe(row));
            });
  }
}
