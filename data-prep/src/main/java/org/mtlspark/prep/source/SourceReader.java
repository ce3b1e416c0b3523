package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.PrepException;
import org.mtlspark.prep.io.SerializableConf;

/** Reads one configured source of any format into parsed rows and rejects. */
public final class SourceReader {
  private SourceReader() {}

  public static JavaRDD<ParsedRow<SourceValues>> read(SparkSession spark, SerializableConf conf, SourceConfig source,
      List<String> recordKey, List<String> files, RowInterpreter interpreter) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return switch (source.format()) {
      case CSV -> {
        checkCsvHeaders(conf.get(), source, files, interpreter.requiredColumns());
        yield LineSourceReader.read(jsc, conf, files, new CsvSourceFormat(interpreter));
      }
      case JSON -> LineSourceReader.read(jsc, conf, files, new JsonSourceFormat(interpreter));
      case PARQUET -> ParquetSourceReader.read(spark, files, interpreter);
      case IMAGES -> ImageFolderReader.read(jsc, conf, files, source.keyColumns(recordKey), interpreter);
    };
  }

  /**
   * Checks on the driver, before any Spark job, that the CSV headers hold the needed columns. When
   * no file has a column, the configuration is wrong and prep stops here. When only some files lack
   * it (the schema drifted), those files' rows are rejected one by one while they are read.
   */
  static void checkCsvHeaders(Configuration conf, SourceConfig source, List<String> files, List<String> required)
      throws IOException {
    java.util.Set<String> missingEverywhere = new java.util.LinkedHashSet<>(required);
    List<String> headers = new ArrayList<>();
    for (String file : files) {
      Path p = new Path(file);
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getFileSystem(conf).open(p),
          StandardCharsets.UTF_8))) {
        String header = r.readLine();
        if (header != null) {
          missingEverywhere.retainAll(new CsvHeader(header).missing(required));
          headers.add(file + ": " + header);
        }
      }
    }
    if (headers.isEmpty()) {
      throw new PrepException("source " + source.name() + ": every file is empty (no header row): " + files);
    }
    if (!missingEverywhere.isEmpty()) {
      throw new PrepException("source " + source.name() + ": no file has the column(s) " + missingEverywhere
          + " that the configuration names; headers:\n  " + String.join("\n  ", headers.subList(0,
          Math.min(5, headers.size()))));
    }
  }
}
