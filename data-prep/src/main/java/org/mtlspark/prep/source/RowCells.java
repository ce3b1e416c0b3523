package org.mtlspark.prep.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructType;

/**
 * The cells of Spark rows of one schema, as {@link Cells} hand them to a {@link RowInterpreter}:
 * arrays as lists of strings, the rest as Spark gives them (numbers, booleans, strings, bytes,
 * dates and timestamps, which {@link DateTimes} reads as typed values).
 */
public final class RowCells implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, Integer> at = new HashMap<>();
  private final boolean[] isArray;

  /** The cells of {@code columns}, found in rows of {@code schema} by name. */
  public RowCells(StructType schema, List<String> columns) {
    isArray = new boolean[schema.size()];
    for (String c : columns) {
      int i = schema.fieldIndex(c);
      at.put(c, i);
      isArray[i] = schema.fields()[i].dataType() instanceof ArrayType;
    }
  }

  /** The cells of one row. */
  public Cells of(Row row) {
    return column -> {
      Integer i = at.get(column);
      return i == null || row.isNullAt(i) ? null : value(row.get(i), isArray[i]);
    };
  }

  /** A short text of the row's cells (bytes by their count), for a reject. */
  public String describe(Row row) {
    StringBuilder sb = new StringBuilder();
    at.entrySet().stream()
        .sorted(Map.Entry.comparingByValue())
        .forEach(
            e -> {
              Object v = row.isNullAt(e.getValue()) ? null : row.get(e.getValue());
              sb.append(sb.length() == 0 ? "" : ", ")
                  .append(e.getKey())
                  .append('=')
                  .append(v instanceof byte[] b ? "<" + b.length + " bytes>" : v);
            });
    return sb.toString();
  }

  private static Object value(Object v, boolean array) {
    if (array) {
      List<String> out = new ArrayList<>();
      iterate(v).forEach(x -> out.add(String.valueOf(x)));
      return out;
    }
    return v;
  }

  private static List<?> iterate(Object v) {
    if (v instanceof List<?> list) {
      return list;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      return scala.collection.JavaConverters.seqAsJavaList(seq);
    }
    return List.of(v);
  }
}
