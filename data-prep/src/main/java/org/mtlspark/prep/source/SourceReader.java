package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.PrepException;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;

/** Reads configured sources of any format into parsed rows and rejects. */
public final class SourceReader {
  private SourceReader() {}

  /**
   * Every configured source, in configuration order: its files and its parsed rows (not yet
   * computed); and the size of all the files, in bytes.
   */
  public record Sources(List<List<String>> files, List<JavaRDD<ParsedRow<SourceValues>>> rows, long bytes) {}

  /**
   * Lists the files of every source under {@code dataRoot} (a source without files stops here,
   * before any Spark job), then reads each one by its configuration.
   */
  public static Sources readAll(SparkSession spark, SerializableConf conf, MtlConfig config, String dataRoot)
      throws IOException {
    return readAll(spark, conf, config, dataRoot, false);
  }

  /**
   * As {@link #readAll(SparkSession, SerializableConf, MtlConfig, String)}; for new data to score
   * ({@code scoring}), labels are optional and a source that holds only labels may be absent.
   */
  public static Sources readAll(SparkSession spark, SerializableConf conf, MtlConfig config, String dataRoot,
      boolean scoring) throws IOException {
    DataConfig data = config.data();
    List<List<String>> files = new ArrayList<>();
    long bytes = 0;
    for (SourceConfig src : data.sources()) {
      boolean optional = scoring && !src.hasFeatures() && !HadoopFiles.exists(conf.get(),
          HadoopFiles.resolve(dataRoot, src.path()));
      List<FileStatus> listed = optional ? List.of() : files(conf.get(), dataRoot, src);
      files.add(listed.stream().map(f -> f.getPath().toString()).toList());
      bytes += listed.stream().mapToLong(FileStatus::getLen).sum();
    }
    List<JavaRDD<ParsedRow<SourceValues>>> rows = new ArrayList<>();
    for (int s = 0; s < data.sources().size(); s++) {
      SourceConfig src = data.sources().get(s);
      RowInterpreter interpreter = new RowInterpreter(src, data.key(), RecordLayout.tasksOf(config, src.name()),
          data.nullToken(), config.prep().image().width(), config.prep().image().height(), conf, dataRoot);
      if (scoring) {
        interpreter = interpreter.withOptionalLabels();
      }
      if (src.keyColumns(data.key()).contains(Keys.ROW) && !files.get(s).isEmpty()) {
        interpreter = interpreter.withRowKeyBase(rowKeyBase(conf.get(), dataRoot, src, files.get(s)));
      }
      rows.add(files.get(s).isEmpty()
          ? JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD()
          : read(spark, conf, src, data.key(), files.get(s), interpreter));
    }
    return new Sources(files, rows, bytes);
  }

  /**
   * The folder that {@link Keys#ROW} keys of a source name their files relative to: the source's
   * path when it is a folder, else the folder of its one file; qualified like the listed files.
   */
  static String rowKeyBase(Configuration conf, String root, SourceConfig src, List<String> files) throws IOException {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(HadoopFiles.resolve(root, src.path()));
    org.apache.hadoop.fs.Path qualified = path.getFileSystem(conf).makeQualified(path);
    return files.size() == 1 && files.get(0).equals(qualified.toString()) ? qualified.getParent().toString()
        : qualified.toString();
  }

  /** The data files of a source, sorted; a clear error when there are none. */
  static List<FileStatus> files(Configuration conf, String root, SourceConfig src) throws IOException {
    String resolved = HadoopFiles.resolve(root, src.path());
    List<FileStatus> files;
    try {
      files = HadoopFiles.listDataFileStatuses(conf, resolved);
    } catch (IOException e) {
      throw new PrepException("source " + src.name() + ": " + resolved + " does not exist (path " + src.path()
          + ", data root " + (root.isEmpty() ? "(none)" : root) + ")");
    }
    if (files.isEmpty()) {
      throw new PrepException("source " + src.name() + ": " + resolved + " holds no data files");
    }
    return files;
  }

  public static JavaRDD<ParsedRow<SourceValues>> read(SparkSession spark, SerializableConf conf, SourceConfig source,
      List<String> recordKey, List<String> files, RowInterpreter interpreter) throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    java.nio.charset.Charset charset = java.nio.charset.Charset.forName(source.encoding());
    return switch (source.format()) {
      case CSV -> {
        CsvDialect dialect = CsvDialect.of(source);
        checkCsvHeaders(conf.get(), source, files, interpreter.requiredColumns());
        yield TextSourceReader.read(jsc, conf, files, new CsvSourceFormat(interpreter, dialect, charset));
      }
      case JSON -> TextSourceReader.read(jsc, conf, files, new JsonSourceFormat(interpreter, charset));
      case PARQUET -> ParquetSourceReader.read(spark, files, interpreter);
      case IMAGES -> ImageFolderReader.read(jsc, conf, files, source.keyColumns(recordKey), interpreter);
      case MULTIMNIST -> MultiMnistReader.read(jsc, conf, source.name(), files, interpreter);
    };
  }

  /** The header record of a CSV file of {@code source}, or null when the file is empty. */
  public static CsvHeader header(Configuration conf, SourceConfig source, String file) throws IOException {
    try (BufferedReader r = TextFiles.open(conf, file, java.nio.charset.Charset.forName(source.encoding()))) {
      CsvRecord header = new CsvRecordReader(r, CsvDialect.of(source), 1).next();
      return header == null ? null : new CsvHeader(header.cells());
    }
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
      CsvHeader header = header(conf, source, file);
      if (header != null) {
        missingEverywhere.retainAll(header.missing(required));
        headers.add(file + ": " + header);
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
