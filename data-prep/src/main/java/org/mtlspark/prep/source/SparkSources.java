package org.mtlspark.prep.source;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.HadoopFiles;

/**
 * The sources that Spark reads by name ({@code format: table} and {@code format: spark}): the
 * DataFrame each reads, its {@code where} applied, and where it reads from, in words.
 */
public final class SparkSources {
  private SparkSources() {}

  /**
   * The rows {@code source} reads (lazily: no row is read here, but the table, the format and the
   * condition are resolved); a {@link PrepException} naming the source when Spark cannot.
   */
  public static Dataset<Row> frame(SparkSession spark, SourceConfig source, String dataRoot) {
    Dataset<Row> frame;
    try {
      if (source.format() == SourceConfig.Format.TABLE) {
        frame = spark.table(source.table());
      } else {
        var reader = spark.read().format(source.reader()).options(source.options());
        frame =
            source.path().isBlank()
                ? reader.load()
                : reader.load(HadoopFiles.resolve(dataRoot, source.path()));
      }
      return source.where().isBlank() ? frame : frame.where(source.where());
    } catch (Exception e) {
      // Spark's AnalysisException (no such table, column or format) is checked in Scala's eyes
      // only.
      throw new PrepException(
          "source "
              + source.name()
              + ": Spark cannot read "
              + describe(source, dataRoot)
              + ": "
              + firstLine(e.getMessage())
              + (source.format() == SourceConfig.Format.TABLE && inMemoryCatalog(spark)
                  ? " (the session's catalog is Spark's in-memory one, which holds only the tables"
                      + " this session made; for Hive's metastore set"
                      + " spark.sql.catalogImplementation=hive)"
                  : ""),
          e);
    }
  }

  /** Whether the session's catalog is Spark's in-memory one (no metastore: tables end with it). */
  public static boolean inMemoryCatalog(SparkSession spark) {
    return "in-memory".equals(spark.conf().get("spark.sql.catalogImplementation", "in-memory"));
  }

  /** Whether the source's table exists (a spark source is taken to exist). */
  public static boolean exists(SparkSession spark, SourceConfig source) {
    return source.format() != SourceConfig.Format.TABLE
        || spark.catalog().tableExists(source.table());
  }

  /** Where the source reads from: {@code table T}, or {@code READER PATH} / {@code READER (options)}; with its condition. */
  public static String describe(SourceConfig source, String dataRoot) {
    String from =
        source.format() == SourceConfig.Format.TABLE
            ? "table " + source.table()
            : source.reader()
                + (source.path().isBlank()
                    ? " (" + String.join(", ", source.options().keySet()) + ")"
                    : " " + HadoopFiles.resolve(dataRoot, source.path()));
    return source.where().isBlank() ? from : from + " where " + source.where();
  }

  /**
   * The files Spark reads for the rows (none for a database), for counts, sizes and fingerprints; a
   * folder Spark names (a Hive table read through its serde) stands for the data files below it,
   * and a file gone since the catalog listed it counts for nothing (Spark says so when it reads).
   */
  public static List<FileStatus> inputFiles(SparkSession spark, Dataset<Row> frame)
      throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    List<FileStatus> files = new ArrayList<>();
    for (String f : frame.inputFiles()) {
      Path p = new Path(f);
      FileStatus status;
      try {
        status = p.getFileSystem(conf).getFileStatus(p);
      } catch (FileNotFoundException e) {
        continue;
      }
      if (status.isDirectory()) {
        files.addAll(HadoopFiles.listDataFileStatuses(conf, f));
      } else {
        files.add(status);
      }
    }
    return files;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
