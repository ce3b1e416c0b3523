package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** Reads configured sources of any format into parsed rows and rejects. */
public final class SourceReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SourceReader() {}

  /**
   * Every configured source, in configuration order: its files and its parsed rows (not yet
   * computed); and the size of all the files, in bytes.
   */
  public record Sources(
      List<List<String>> files, List<JavaRDD<ParsedRow<SourceValues>>> rows, long bytes) {}

  /**
   * Lists the files of every source under {@code dataRoot} (a source without files stops here,
   * before any Spark job), then reads each one by its configuration.
   */
  public static Sources readAll(
      SparkSession spark, SerializableConf conf, MtlConfig config, String dataRoot)
      throws IOException {
    return readAll(spark, conf, config, dataRoot, false);
  }

  /**
   * As {@link #readAll(SparkSession, SerializableConf, MtlConfig, String)}; for new data to score
   * ({@code scoring}), labels are optional and a source that holds only labels may be absent.
   */
  public static Sources readAll(
      SparkSession spark, SerializableConf conf, MtlConfig config, String dataRoot, boolean scoring)
      throws IOException {
    DataConfig data = config.data();
    List<List<String>> files = new ArrayList<>();
    List<Dataset<Row>> frames = new ArrayList<>();
    long bytes = 0;
    for (SourceConfig src : data.sources()) {
      List<FileStatus> listed;
      if (src.format().bySpark()) {
        boolean optional = scoring && !src.hasFeatures() && !SparkSources.exists(spark, src);
        Dataset<Row> frame = optional ? null : SparkSources.frame(spark, src, dataRoot);
        frames.add(frame);
        listed = frame == null ? List.of() : SparkSources.inputFiles(spark, frame);
      } else {
        boolean optional =
            scoring
                && !src.hasFeatures()
                && !HadoopFiles.sourceExists(conf.get(), HadoopFiles.resolve(dataRoot, src.path()));
        frames.add(null);
        listed = optional ? List.of() : files(conf.get(), dataRoot, src);
      }
      files.add(listed.stream().map(f -> f.getPath().toString()).toList());
      bytes += listed.stream().mapToLong(FileStatus::getLen).sum();
    }
    List<JavaRDD<ParsedRow<SourceValues>>> rows = new ArrayList<>();
    for (int s = 0; s < data.sources().size(); s++) {
      SourceConfig src = data.sources().get(s);
      RowInterpreter interpreter = RowInterpreter.of(config, src, conf, dataRoot);
      if (scoring) {
        interpreter = interpreter.withOptionalLabels();
      }
      if (src.keyColumns(data.key()).contains(Keys.ROW) && !files.get(s).isEmpty()) {
        interpreter =
            interpreter.withRowKeyBase(rowKeyBase(conf.get(), dataRoot, src, files.get(s)));
      }
      if (src.format().bySpark()) {
        rows.add(
            frames.get(s) == null
                ? JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD()
                : FrameSourceReader.read(
                    frames.get(s),
                    SparkSources.describe(src, dataRoot),
                    SparkSources.describe(src, dataRoot) + " has",
                    interpreter));
        continue;
      }
      rows.add(
          files.get(s).isEmpty()
              ? JavaSparkContext.fromSparkContext(spark.sparkContext()).emptyRDD()
              : read(spark, conf, src, data.key(), files.get(s), interpreter));
    }
    return new Sources(files, rows, bytes);
  }

  /**
   * The folder that {@link Keys#ROW} keys of a source name their files relative to: the source's
   * path when it is a folder, else the folder of its one file; qualified like the listed files.
   */
  static String rowKeyBase(Configuration conf, String root, SourceConfig src, List<String> files)
      throws IOException {
    org.apache.hadoop.fs.Path path =
        new org.apache.hadoop.fs.Path(
            HadoopFiles.sourceBase(conf, HadoopFiles.resolve(root, src.path())));
    org.apache.hadoop.fs.Path qualified = path.getFileSystem(conf).makeQualified(path);
    return files.size() == 1 && files.get(0).equals(qualified.toString())
        ? qualified.getParent().toString()
        : qualified.toString();
  }

  /** The data files of a source, sorted; a clear error when there are none. */
  static List<FileStatus> files(Configuration conf, String root, SourceConfig src)
      throws IOException {
    String resolved = HadoopFiles.resolve(root, src.path());
    List<FileStatus> files;
    try {
      files = HadoopFiles.listDataFileStatuses(conf, resolved);
    } catch (IOException e) {
      throw new PrepException(
          "source "
              + src.name()
              + ": "
              + resolved
              + " does not exist (path "
              + src.path()
              + ", data root "
              + (root.isEmpty() ? "(none)" : root)
              + ")");
    }
    if (files.isEmpty()) {
      throw new PrepException("source " + src.name() + ": " + resolved + " holds no data files");
    }
    return files;
  }

  public static JavaRDD<ParsedRow<SourceValues>> read(
      SparkSession spark,
      SerializableConf conf,
      SourceConfig source,
      List<String> recordKey,
      List<String> files,
      RowInterpreter interpreter)
      throws IOException {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    java.nio.charset.Charset charset = java.nio.charset.Charset.forName(source.encoding());
    return switch (source.format()) {
      case CSV -> {
        CsvDialect dialect = CsvDialect.of(source);
        checkCsvHeaders(conf.get(), source, files, interpreter.requiredColumns());
        yield TextSourceReader.read(
            jsc, conf, files, new CsvSourceFormat(interpreter, dialect, charset));
      }
      case JSON -> {
        checkJsonFields(conf.get(), source, files, interpreter.requiredColumns());
        yield TextSourceReader.read(jsc, conf, files, new JsonSourceFormat(interpreter, charset));
      }
      case PARQUET -> ParquetSourceReader.read(spark, files, interpreter);
      case TABLE, SPARK ->
          throw new IllegalArgumentException(
              "source " + source.name() + " is read by Spark: see SparkSources");
      case IMAGES ->
          ImageFolderReader.read(jsc, conf, files, source.keyColumns(recordKey), interpreter);
      case MULTIMNIST ->
          MultiMnistReader.read(jsc, conf, source.name(), source.items(), files, interpreter);
      case CONLL -> {
        checkConllCells(conf.get(), source, files, interpreter.requiredColumns());
        yield TextSourceReader.read(
            jsc, conf, files, new ConllSourceFormat(interpreter, charset, source.conllColumns()));
      }
    };
  }

  /**
   * The most characters of a CSV file read for its header record before any Spark job (1 Mi): a
   * longer header (or a file without line breaks) stops prep, naming the file.
   */
  static final int MAX_HEADER_CHARS = 1 << 20;

  /**
   * The header record of a CSV file of {@code source}, or null when the file is empty; reads at
   * most {@link #MAX_HEADER_CHARS} characters of the file.
   */
  public static CsvHeader header(Configuration conf, SourceConfig source, String file)
      throws IOException {
    try (BufferedReader r =
        TextFiles.open(conf, file, java.nio.charset.Charset.forName(source.encoding()))) {
      LimitedReader start = new LimitedReader(r, MAX_HEADER_CHARS);
      CsvRecord header = new CsvRecordReader(start, CsvDialect.of(source), 1).next();
      if (start.cut()) {
        throw new PrepException(
            "source "
                + source.name()
                + ": file "
                + file
                + ": the header record (line 1) is longer "
                + "than "
                + MAX_HEADER_CHARS
                + " characters; is it a CSV file with line breaks, in "
                + source.encoding()
                + ", with delimiter '"
                + source.delimiter()
                + "' and no quote left open?");
      }
      return header == null ? null : new CsvHeader(header.cells());
    }
  }

  /**
   * Checks on the driver, before any Spark job, that the CSV headers hold the needed columns,
   * reading only the header record of each file. When no file has a column, the configuration is
   * wrong and prep stops here, naming the first file, the column and the closest column the file
   * has. When only some files lack it (the schema drifted), those files' rows are rejected one by
   * one while they are read.
   */
  static void checkCsvHeaders(
      Configuration conf, SourceConfig source, List<String> files, List<String> required)
      throws IOException {
    Set<String> missingEverywhere = new LinkedHashSet<>(required);
    String first = null;
    List<String> firstColumns = List.of();
    for (String file : files) {
      CsvHeader header = header(conf, source, file);
      if (header != null) {
        missingEverywhere.retainAll(header.missing(required));
        if (first == null) {
          first = file;
          firstColumns = header.names();
        }
      }
    }
    if (first == null) {
      throw new PrepException(
          "source " + source.name() + ": every file is empty (no header row): " + files);
    }
    if (!missingEverywhere.isEmpty()) {
      throw new PrepException(
          "source "
              + source.name()
              + ": file "
              + first
              + " has "
              + MissingColumns.describe(List.copyOf(missingEverywhere), firstColumns)
              + (files.size() > 1
                  ? " (nor has any of the source's " + files.size() + " files)"
                  : ""));
    }
  }

  /**
   * Checks on the driver, before any Spark job, that a conll source offers the needed cells: its
   * named fields, {@code sentence}, and the metadata keys found in the first {@link
   * #JSON_SAMPLE_LINES} lines of its first file. A cell none of them is stops prep here, naming the
   * file, the cell and the closest name there is.
   */
  static void checkConllCells(
      Configuration conf, SourceConfig source, List<String> files, List<String> required)
      throws IOException {
    Set<String> offered = new LinkedHashSet<>(source.conllColumns());
    offered.add(ConllSourceFormat.SENTENCE);
    List<String> missing = required.stream().filter(c -> !offered.contains(c)).toList();
    if (missing.isEmpty()) {
      return;
    }
    forSampleLines(
        conf,
        source,
        files.get(0),
        line -> {
          String[] kv = line.startsWith("#") ? ConllSourceFormat.metadata(line) : null;
          if (kv != null) {
            offered.add(kv[0]);
          }
        });
    missing = required.stream().filter(c -> !offered.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new PrepException(
          "source "
              + source.name()
              + " (format conll): file "
              + files.get(0)
              + " has "
              + MissingColumns.describe(missing, offered)
              + " (a conll source offers its columns "
              + source.conllColumns()
              + ", sentence, and the keys of its '# key = value' lines)");
    }
  }

  /** Lines of a JSON source sampled per file to find its fields. */
  static final int JSON_SAMPLE_LINES = 1000;

  /** Files of a JSON source sampled to find its fields. */
  static final int JSON_SAMPLE_FILES = 20;

  /** Characters of a JSON file read at most to sample its lines (64 Mi), so that no file is read whole on the driver. */
  static final long JSON_SAMPLE_CHARS = 1L << 26;

  /**
   * Checks on the driver, before any Spark job, that a JSON lines source has the needed fields:
   * a field that none of the objects in the first {@link #JSON_SAMPLE_LINES} lines (and
   * {@link #JSON_SAMPLE_CHARS} characters) of the first {@link #JSON_SAMPLE_FILES} files holds is taken for a wrong name, and prep stops here, naming
   * the first file, the field and the closest field it has. (A field present in some rows only is
   * a missing value in the others.)
   */
  static void checkJsonFields(
      Configuration conf, SourceConfig source, List<String> files, List<String> required)
      throws IOException {
    Set<String> missing = new LinkedHashSet<>(required);
    Set<String> firstFields = new LinkedHashSet<>();
    String first = null;
    int sampledFiles = Math.min(files.size(), JSON_SAMPLE_FILES);
    for (String file : files.subList(0, sampledFiles)) {
      Set<String> fields = jsonFields(conf, source, file);
      if (first == null && !fields.isEmpty()) {
        first = file;
        firstFields.addAll(fields);
      }
      missing.removeAll(fields);
      if (missing.isEmpty()) {
        return;
      }
    }
    if (first != null) {
      throw new PrepException(
          "source "
              + source.name()
              + ": file "
              + first
              + " has "
              + MissingColumns.describe(List.copyOf(missing), firstFields)
              + " in its first "
              + JSON_SAMPLE_LINES
              + " rows"
              + (sampledFiles > 1 ? " (nor has any of " + sampledFiles + " files)" : ""));
    }
  }

  /** The fields of the JSON objects among the first lines of a file (lines that are not objects are skipped). */
  private static Set<String> jsonFields(Configuration conf, SourceConfig source, String file)
      throws IOException {
    Set<String> fields = new LinkedHashSet<>();
    forSampleLines(
        conf,
        source,
        file,
        line -> {
          try {
            JsonNode node = JSON.readTree(line);
            if (node != null && node.isObject()) {
              node.fieldNames().forEachRemaining(fields::add);
            }
          } catch (IOException e) {
            // a malformed line is rejected with its reason when the rows are read
          }
        });
    return fields;
  }

  /**
   * Hands {@code use} the first {@link #JSON_SAMPLE_LINES} non-blank lines of {@code file} within
   * its first {@link #JSON_SAMPLE_CHARS} characters; a line too long is skipped (it is rejected
   * with its reason when the rows are read).
   */
  private static void forSampleLines(
      Configuration conf, SourceConfig source, String file, java.util.function.Consumer<String> use)
      throws IOException {
    try (BufferedReader r =
        TextFiles.open(conf, file, java.nio.charset.Charset.forName(source.encoding()))) {
      LineReader lines =
          new LineReader(new LimitedReader(r, JSON_SAMPLE_CHARS), TextFormat.MAX_RECORD_CHARS);
      int read = 0;
      for (LineReader.Line l = lines.next();
          l != null && read < JSON_SAMPLE_LINES;
          l = lines.next()) {
        if (l.cut() || l.text().isBlank()) {
          continue;
        }
        read++;
        use.accept(l.text());
      }
    }
  }
}
