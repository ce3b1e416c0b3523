package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Reads text files (CSV, JSON lines) on Spark, one task per file, so that every row keeps its file
 * name and the line it starts on. Files are streamed, never held whole, and closed when their last
 * row is read or their task ends.
 */
public final class TextSourceReader {
  private TextSourceReader() {}

  public static <T extends Serializable> JavaRDD<ParsedRow<T>> read(
      JavaSparkContext jsc, SerializableConf conf, List<String> files, TextFormat<T> format) {
    return jsc.parallelize(files, Math.max(1, files.size()))
        .flatMap(
            file ->
                new FileRows<>(file, TextFiles.open(conf.get(), file, format.charset()), format));
  }

  /** The rows of one file; closes the file after the last one, or when the task ends first. */
  private static final class FileRows<T extends Serializable> implements Iterator<ParsedRow<T>> {
    private final String file;
    private final BufferedReader reader;
    private final Iterator<ParsedRow<T>> rows;
    private boolean closed;

    FileRows(String file, BufferedReader reader, TextFormat<T> format) {
      this.file = file;
      this.reader = reader;
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener(
            (org.apache.spark.util.TaskCompletionListener) context -> close());
      }
      this.rows = readable(() -> format.rows(file, reader));
    }

    /** {@code step}, naming the file when reading it fails. */
    private <A> A readable(java.util.function.Supplier<A> step) {
      try {
        return step.get();
      } catch (UncheckedIOException e) {
        close();
        throw new UncheckedIOException(
            "cannot read " + file + ": " + e.getCause().getMessage(), e.getCause());
      }
    }

    @Override
    public boolean hasNext() {
      if (closed) {
        return false;
      }
      if (readable(rows::hasNext)) {
        return true;
      }
      close();
      return false;
    }

    @Override
    public ParsedRow<T> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return readable(rows::next);
    }

    private void close() {
      if (!closed) {
        closed = true;
        try {
          reader.close();
        } catch (IOException e) {
          // nothing more is read from it
        }
      }
    }
  }
}
