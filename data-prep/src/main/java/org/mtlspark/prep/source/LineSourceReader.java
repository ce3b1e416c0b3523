package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Reads line-oriented files on Spark, one task per file, so that every row keeps its file name and
 * exact line number. Lines are streamed, never held whole; blank lines are skipped.
 */
public final class LineSourceReader {
  private LineSourceReader() {}

  public static <T extends Serializable> JavaRDD<ParsedRow<T>> read(
      JavaSparkContext jsc, SerializableConf conf, List<String> files, LineFormat<T> format) {
    return jsc.parallelize(files, Math.max(1, files.size()))
        .flatMap(file -> new LineIterator<>(conf, file, format));
  }

  private static final class LineIterator<T extends Serializable> implements Iterator<ParsedRow<T>> {
    private final BufferedReader reader;
    private final LineFormat.FileParser<T> parser;
    private final String file;
    private long lineNumber;
    private String next;
    /** A reject standing for a whole file that has no header row. */
    private ParsedRow<T> emptyFile;

    LineIterator(SerializableConf conf, String file, LineFormat<T> format) throws IOException {
      Path path = new Path(file);
      this.file = file;
      this.reader = new BufferedReader(new InputStreamReader(
          path.getFileSystem(conf.get()).open(path), StandardCharsets.UTF_8), 1 << 16);
      String header = null;
      if (format.hasHeader()) {
        header = reader.readLine();
        lineNumber = 1;
        if (header == null) {
          reader.close();
          emptyFile = ParsedRow.rejected(new Reject(format.sourceName(), file, 0, null, "(file)",
              "empty file: no header row", ""));
          this.parser = null;
          return;
        }
      }
      this.parser = format.open(file, header);
      advance();
    }

    private void advance() {
      try {
        do {
          next = reader.readLine();
          lineNumber++;
        } while (next != null && next.isBlank());
        if (next == null) {
          reader.close();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file + " after line " + lineNumber, e);
      }
    }

    @Override
    public boolean hasNext() {
      return next != null || emptyFile != null;
    }

    @Override
    public ParsedRow<T> next() {
      if (emptyFile != null) {
        ParsedRow<T> r = emptyFile;
        emptyFile = null;
        return r;
      }
      if (next == null) {
        throw new NoSuchElementException();
      }
      ParsedRow<T> row = parser.parse(lineNumber, next);
      advance();
      return row;
    }
  }
}
