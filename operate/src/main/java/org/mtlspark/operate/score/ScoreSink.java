package org.mtlspark.operate.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.source.SparkSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where {@code score} writes its predictions instead of {@code predictions/} in its folder: a table
 * of the session's catalog, or a Parquet dataset at a path, optionally partitioned, appended to or
 * overwritten. The rows are those of {@code predictions/} with a {@link #MODEL_VERSION} column, and
 * the key columns typed: as the target already has them, else as the sources have them when that
 * is a number or a boolean (Parquet, table and spark sources), else text.
 *
 * <p>Nothing is overwritten that {@code score} did not write: an existing table is overwritten only
 * when it carries the property {@link #MARK_PROPERTY} (set when {@code score} creates it); a path
 * is written into (appended to or overwritten) only when it is new, empty, or holds {@link
 * #MARK_FILE} and nothing but what Spark writes for a dataset. An existing target keeps its
 * partitioning: a {@code --partition-by} that differs is refused. With partition columns, an
 * overwrite replaces only the partitions written (Spark's dynamic partition overwrite).
 *
 * @param table a table name, or null
 * @param path a path, or null (exactly one of the two)
 * @param partitionBy the columns to partition a new target by
 * @param overwrite overwrite (the partitions written) rather than append
 */
public record ScoreSink(String table, String path, List<String> partitionBy, boolean overwrite) {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreSink.class);

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
   * Refuses, before any scoring, a target that this sink may not write: an existing table to
   * overwrite that score did not create; a path that holds what score did not write; an existing
   * target partitioned otherwise than {@code partitionBy} says. Returns the partition columns to
   * write by (the target's own where it exists).
   */
  public List<String> check(SparkSession spark) throws IOException {
    if (table != null) {
      if (SparkSources.inMemoryCatalog(spark)) {
        LOG.warn(
            "the session's catalog is Spark's in-memory one: table {} lasts only as long as this"
                + " session; for Hive's metastore set spark.sql.catalogImplementation=hive",
            table);
      }
      if (!spark.catalog().tableExists(table)) {
        return partitionBy;
      }
      if (overwrite && !marked(spark)) {
        throw new IOException(
            "table "
                + table
                + " exists and score did not create it (no table property "
                + MARK_PROPERTY
                + "): refusing to overwrite it; append to it, or name another table");
      }
      List<String> own = new ArrayList<>();
      try {
        for (var c : spark.catalog().listColumns(table).collectAsList()) {
          if (c.isPartition()) {
            own.add(c.name());
          }
        }
      } catch (org.apache.spark.sql.AnalysisException e) {
        throw new IOException("table " + table + ": " + e.getMessage(), e);
      }
      return keep(own, "table " + table);
    }
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p)) {
      return partitionBy;
    }
    if (!fs.getFileStatus(p).isDirectory()) {
      throw new IOException(path + " is a file, not a folder of predictions");
    }
    FileStatus[] in = fs.listStatus(p);
    if (in.length == 0) {
      return partitionBy;
    }
    TreeSet<String> foreign = new TreeSet<>();
    TreeSet<String> partitions = new TreeSet<>();
    boolean files = false;
    for (FileStatus f : in) {
      String n = f.getPath().getName();
      if (f.isDirectory() && n.matches("[^=._][^=]*=.*")) {
        partitions.add(n.substring(0, n.indexOf('=')));
      } else if (!f.isDirectory() && n.startsWith("part-")) {
        files = true;
      } else if (!List.of(MARK_FILE, "_SUCCESS", "._SUCCESS.crc").contains(n)
          && !(n.startsWith(".part-") && n.endsWith(".crc"))) {
        foreign.add(n);
      }
    }
    if (!fs.exists(new Path(p, MARK_FILE)) || !foreign.isEmpty()) {
      throw new IOException(
          path
              + " holds files that score did not write ("
              + (foreign.isEmpty() ? "no " + MARK_FILE : String.join(", ", foreign))
              + "): refusing to write into it; name a new or empty folder");
    }
    if (files && !partitions.isEmpty() || partitions.size() > 1) {
      throw new IOException(path + " mixes partitions " + partitions + " and files; refusing it");
    }
    List<String> own = new ArrayList<>(partitions);
    // Deeper partition levels: the first partition folder's own partition folders, and so on.
    Path at = own.isEmpty() ? null : firstPartition(fs, p);
    while (at != null) {
      Path next = firstPartition(fs, at);
      if (next != null) {
        String n = next.getName();
        own.add(n.substring(0, n.indexOf('=')));
      }
      at = next;
    }
    return keep(own, path);
  }

  private static Path firstPartition(FileSystem fs, Path dir) throws IOException {
    for (FileStatus f : fs.listStatus(dir)) {
      if (f.isDirectory() && f.getPath().getName().matches("[^=._][^=]*=.*")) {
        return f.getPath();
      }
    }
    return null;
  }

  /** The target's own partition columns, unless {@code partitionBy} names others. */
  private List<String> keep(List<String> own, String target) throws IOException {
    if (!partitionBy.isEmpty() && !partitionBy.equals(own)) {
      throw new IOException(
          target
              + " is partitioned by "
              + own
              + ", not by "
              + partitionBy
              + "; leave --partition-by out to keep its partitioning");
    }
    return own;
  }

  /**
   * Writes {@code predictions} (score's columns: the {@code keys} key columns first, then the
   * tasks') with {@code modelVersion} into the target; the key columns cast to {@code keyTypes}
   * unless the target has its own types.
   */
  void write(
      SparkSession spark,
      Dataset<Row> predictions,
      int keys,
      Map<String, DataType> keyTypes,
      String modelVersion)
      throws IOException {
    List<String> partitions = check(spark);
    if (Arrays.asList(predictions.columns()).contains(MODEL_VERSION)) {
      throw new IOException(
          "a task's column is named " + MODEL_VERSION + ", the column of the model's version");
    }
    StructType existing = existingSchema(spark);
    Dataset<Row> rows = predictions.withColumn(MODEL_VERSION, lit(modelVersion));
    List<String> keyColumns = Arrays.asList(predictions.columns()).subList(0, keys);
    for (String k : keyColumns) {
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
    for (String c : partitions) {
      if (!Arrays.asList(rows.columns()).contains(c)) {
        throw new IOException(
            "cannot partition by " + c + ": score writes the columns " + List.of(rows.columns()));
      }
    }
    if (existing != null) {
      sameColumns(rows.schema(), existing);
    }
    if (table != null) {
      writeTable(spark, rows, existing, partitions);
    } else {
      writePath(spark, rows, partitions);
    }
  }

  /** Refuses rows whose columns (names and types) are not the existing target's. */
  private void sameColumns(StructType rows, StructType existing) throws IOException {
    Map<String, DataType> have = new LinkedHashMap<>();
    for (StructField f : rows.fields()) {
      have.put(f.name(), f.dataType());
    }
    Map<String, DataType> want = new LinkedHashMap<>();
    for (StructField f : existing.fields()) {
      want.put(f.name(), f.dataType());
    }
    List<String> problems = new ArrayList<>();
    want.forEach(
        (name, type) -> {
          if (!have.containsKey(name)) {
            problems.add("score writes no " + name);
          } else if (!have.get(name).equals(type) && !name.equals(MODEL_VERSION)) {
            problems.add(
                name
                    + " is "
                    + type.simpleString()
                    + " there, "
                    + have.get(name).simpleString()
                    + " here");
          }
        });
    have.keySet().stream()
        .filter(n -> !want.containsKey(n))
        .forEach(n -> problems.add("it has no column " + n));
    if (!problems.isEmpty()) {
      throw new IOException(
          describe()
              + " does not take these predictions: "
              + String.join("; ", problems)
              + " (its columns: "
              + want.keySet()
              + ")");
    }
  }

  private void writeTable(
      SparkSession spark, Dataset<Row> rows, StructType existing, List<String> partitions)
      throws IOException {
    if (existing == null) {
      var create = rows.writeTo(table).using("parquet").tableProperty(MARK_PROPERTY, "score");
      if (!partitions.isEmpty()) {
        Column first = col(partitions.get(0));
        List<Column> more =
            partitions.subList(1, partitions.size()).stream().map(c -> col(c)).toList();
        create =
            create.partitionedBy(
                first, scala.collection.JavaConverters.asScalaBuffer(more).toSeq());
      }
      try {
        create.create();
      } catch (org.apache.spark.sql.catalyst.analysis.TableAlreadyExistsException e) {
        throw new IOException(
            "table "
                + table
                + " was created meanwhile (by another run?); nothing written: run again"
                + " to append to it",
            e);
      }
      return;
    }
    // insertInto matches columns by position: the table's order.
    Dataset<Row> ordered =
        rows.select(
            Arrays.stream(existing.fieldNames())
                .map(c -> col("`" + c + "`"))
                .toArray(Column[]::new));
    // Dynamic partition overwrite is a session setting for insertInto; set for this write only.
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

  private void writePath(SparkSession spark, Dataset<Row> rows, List<String> partitions)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String mark = new Path(path, MARK_FILE).toString();
    if (!HadoopFiles.exists(hadoop, mark)) {
      // Before the first rows: a folder of score's is marked as such even if the write fails.
      HadoopFiles.writeString(hadoop, mark, "written by mtlspark score\n");
    }
    rows.write()
        .mode(overwrite ? SaveMode.Overwrite : SaveMode.Append)
        .option("partitionOverwriteMode", "dynamic")
        .partitionBy(partitions.toArray(String[]::new))
        .parquet(path);
    if (!HadoopFiles.exists(hadoop, mark)) {
      // An unpartitioned overwrite replaced the folder.
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
    for (FileStatus f : fs.listStatus(p)) {
      String n = f.getPath().getName();
      if (!n.startsWith("_") && !n.startsWith(".")) {
        return spark.read().parquet(path).schema();
      }
    }
    return null;
  }

  private boolean marked(SparkSession spark) {
    String quoted =
        Arrays.stream(table.split("\\.", -1))
            .map(p -> "`" + p.replace("`", "``") + "`")
            .reduce((a, b) -> a + "." + b)
            .orElseThrow();
    for (Row r : spark.sql("SHOW TBLPROPERTIES " + quoted).collectAsList()) {
      if (MARK_PROPERTY.equals(r.getString(0))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The type of each key column where a source gives it a number or boolean type (Parquet, table
   * and spark sources); dates and timestamps stay text (a key's text is zone-dependent).
   */
  static Map<String, DataType> keyTypes(List<String> keys, List<StructType> sourceSchemas) {
    Map<String, DataType> types = new LinkedHashMap<>();
    for (StructType s : sourceSchemas) {
      for (StructField f : s.fields()) {
        if (keys.contains(f.name())
            && !types.containsKey(f.name())
            && (f.dataType() instanceof NumericType || f.dataType() instanceof BooleanType)) {
          types.put(f.name(), f.dataType());
        }
      }
    }
    return types;
  }
}
