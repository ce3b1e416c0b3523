package org.mtlspark.operate.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.source.SparkSources;

/**
 * Where {@code score} writes its predictions instead of {@code predictions/} in its folder: a table
 * of the session's catalog, or a Parquet dataset at a path, optionally partitioned, appended to or
 * overwritten. The rows are those of {@code predictions/} with a {@link #MODEL_VERSION} column, and
 * the key columns typed: as the target already has them, else as the sources have them (Parquet,
 * table and spark sources), else text.
 *
 * <p>Nothing is overwritten that {@code score} did not write: an existing table is overwritten only
 * when it carries the property {@link #MARK_PROPERTY} (set on every table {@code score} creates), a
 * path is written into (appended to or overwritten) only when it is new, empty, or holds {@link
 * #MARK_FILE}. With partition columns, an overwrite replaces only the partitions written (Spark's
 * dynamic partition overwrite).
 *
 * @param table a table name, or null
 * @param path a path, or null (exactly one of the two)
 * @param partitionBy the columns to partition a new target by (an existing one keeps its own)
 * @param overwrite overwrite (the partitions written) rather than append
 */
public record ScoreSink(String table, String path, List<String> partitionBy, boolean overwrite) {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ScoreSink.class);

  /** The column naming the model that wrote a row. */
  public static final String MODEL_VERSION = "model_version";

  /** The table property score sets on a table it creates. */
  public static final String MARK_PROPERTY = "mtlspark.writer";

  /** The file score leaves in a path it writes (Spark's readers skip names starting with '_'). */
  public static final String MARK_FILE = "_MTLSPARK_SCORE";

  public ScoreSink {
    if ((table == null) == (path == null)) {
      throw new IllegalArgumentException("a sink is a table or a path, one of the two");
    }
    partitionBy = List.copyOf(partitionBy);
  }

  /** Where the predictions go, in words: {@code table T (append)}. */
  public String describe() {
    return (table != null ? "table " + table : "path " + path)
        + " ("
        + (overwrite ? "overwrite" : "append")
        + (partitionBy.isEmpty() ? "" : ", partitioned by " + partitionBy)
        + ")";
  }

  /**
   * Refuses a target that this sink may not write, before any scoring: an existing table to
   * overwrite that score did not create; a path that holds files score did not write.
   */
  public void check(SparkSession spark) throws IOException {
    if (table != null && SparkSources.inMemoryCatalog(spark)) {
      LOG.warn(
          "the session's catalog is Spark's in-memory one: table {} lasts only as long as this"
              + " session; for Hive's metastore set spark.sql.catalogImplementation=hive",
          table);
    }
    if (table != null) {
      if (overwrite && spark.catalog().tableExists(table) && !marked(spark)) {
        throw new IOException(
            "table "
                + table
                + " exists and score did not create it (no table property "
                + MARK_PROPERTY
                + "): refusing to overwrite it; append to it, or name another table");
      }
      return;
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      return;
    }
    if (!fs.getFileStatus(p).isDirectory()) {
      throw new IOException(path + " is a file, not a folder of predictions");
    }
    FileStatus[] in = fs.listStatus(p);
    if (in.length > 0 && !fs.exists(new Path(p, MARK_FILE))) {
      throw new IOException(
          path
              + " holds files that score did not write (no "
              + MARK_FILE
              + "): refusing to write into it; name a new or empty folder");
    }
  }

  /**
   * Writes {@code predictions} (score's columns: the keys, then the tasks') with {@code
   * modelVersion} into the target; the key columns cast to {@code keyTypes} unless the target has
   * its own types. Returns the rows written.
   */
  long write(
      SparkSession spark,
      Dataset<Row> predictions,
      List<String> keys,
      Map<String, DataType> keyTypes,
      String modelVersion)
      throws IOException {
    check(spark);
    StructType existing = existingSchema(spark);
    Dataset<Row> rows = predictions.withColumn(MODEL_VERSION, lit(modelVersion));
    for (String k : keys) {
      DataType type =
          existing != null && Arrays.asList(existing.fieldNames()).contains(k)
              ? existing.apply(k).dataType()
              : keyTypes.getOrDefault(k, DataTypes.StringType);
      if (!type.equals(DataTypes.StringType)) {
        List<Row> bad =
            rows.where(col(k).isNotNull().and(col(k).cast(type).isNull())).limit(1).collectAsList();
        if (!bad.isEmpty()) {
          throw new IOException(
              "key column "
                  + k
                  + ": \""
                  + bad.get(0).getAs(k)
                  + "\" is no "
                  + type.simpleString()
                  + (existing != null
                      ? " (the type " + describe() + " has)"
                      : " (the sources' type)"));
        }
        rows = rows.withColumn(k, col(k).cast(type));
      }
    }
    List<String> columns = Arrays.asList(rows.columns());
    for (String c : partitionBy) {
      if (!columns.contains(c)) {
        throw new IOException("cannot partition by " + c + ": score writes the columns " + columns);
      }
    }
    long count = rows.count();
    if (table != null) {
      writeTable(spark, rows, existing);
    } else {
      writePath(spark, rows);
    }
    return count;
  }

  private void writeTable(SparkSession spark, Dataset<Row> rows, StructType existing) {
    if (existing == null) {
      rows.write()
          .format("parquet")
          .partitionBy(partitionBy.toArray(String[]::new))
          .saveAsTable(table);
      spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES ('" + MARK_PROPERTY + "' = 'score')");
      return;
    }
    List<String> have = Arrays.asList(rows.columns());
    List<String> want = Arrays.asList(existing.fieldNames());
    List<String> lacking = want.stream().filter(c -> !have.contains(c)).toList();
    List<String> extra = have.stream().filter(c -> !want.contains(c)).toList();
    if (!lacking.isEmpty() || !extra.isEmpty()) {
      throw new IllegalArgumentException(
          "table "
              + table
              + " does not take score's rows: "
              + (lacking.isEmpty() ? "" : "score writes no " + lacking + "; ")
              + (extra.isEmpty() ? "" : "the table has no " + extra)
              + " (its columns: "
              + want
              + ")");
    }
    // insertInto matches columns by position: the table's order.
    Dataset<Row> ordered =
        rows.select(want.stream().map(c -> col("`" + c + "`")).toArray(Column[]::new));
    String key = "spark.sql.sources.partitionOverwriteMode";
    String before = spark.conf().getOption(key).getOrElse(() -> null);
    spark.conf().set(key, "dynamic");
    try {
      ordered.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.Append).insertInto(table);
    } finally {
      if (before == null) {
        spark.conf().unset(key);
      } else {
        spark.conf().set(key, before);
      }
    }
  }

  private void writePath(SparkSession spark, Dataset<Row> rows) throws IOException {
    rows.write()
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.Append)
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(partitionBy.toArray(String[]::new))
        .parquet(path);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String mark = new Path(path, MARK_FILE).toString();
    if (!HadoopFiles.exists(hadoop, mark)) {
      HadoopFiles.writeString(hadoop, mark, "written by mtlspark score\n");
    }
  }

  /** The target's schema, or null when it does not exist yet (or is an empty folder). */
  private StructType existingSchema(SparkSession spark) throws IOException {
    if (table != null) {
      return spark.catalog().tableExists(table) ? spark.table(table).schema() : null;
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      return null;
    }
    List<FileStatus> data = new ArrayList<>();
    for (FileStatus f : fs.listStatus(p)) {
      String n = f.getPath().getName();
      if (!n.startsWith("_") && !n.startsWith(".")) {
        data.add(f);
      }
    }
    return data.isEmpty() ? null : spark.read().parquet(path).schema();
  }

  private boolean marked(SparkSession spark) {
    for (Row r : spark.sql("SHOW TBLPROPERTIES " + table).collectAsList()) {
      if (MARK_PROPERTY.equals(r.getString(0))) {
        return true;
      }
    }
    return false;
  }

  /** The type of each key column where a source gives it one (Parquet, table and spark sources). */
  static Map<String, DataType> keyTypes(List<String> keys, List<StructType> sourceSchemas) {
    Map<String, DataType> types = new java.util.LinkedHashMap<>();
    for (StructType s : sourceSchemas) {
      for (StructField f : s.fields()) {
        if (keys.contains(f.name()) && !types.containsKey(f.name())) {
          types.put(f.name(), f.dataType());
        }
      }
    }
    return types;
  }
}
