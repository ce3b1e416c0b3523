package org.mtlspark.prep;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.util.TaskCompletionListener;
import org.mtlspark.prep.io.PartitionTallies;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceValues;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepted rows of one partition of a source. As they pass, every row is tallied and every
 * reject written, one JSON object per line, to a file of the partition's own (replaced when a task
 * is retried; not created when there are none); after the last row, the tally goes to a consumer.
 */
final class AcceptedRows implements Iterator<ParsedRow<SourceValues>> {
  private static final Logger LOG = LoggerFactory.getLogger(AcceptedRows.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final int source;
  private final Iterator<ParsedRow<SourceValues>> rows;
  private final Configuration conf;
  private final Path rejectFile;
  private final Consumer<RowTally> done;
  private final RowTally tally;
  private ParsedRow<SourceValues> next;
  private Writer rejects;
  private boolean finished;

  AcceptedRows(
      int source,
      int sources,
      Iterator<ParsedRow<SourceValues>> rows,
      Configuration conf,
      Path rejectFile,
      Consumer<RowTally> done) {
    this.source = source;
    this.rows = rows;
    this.conf = conf;
    this.rejectFile = rejectFile;
    this.done = done;
    this.tally = new RowTally(sources);
  }

  /**
   * The accepted rows of source {@code source} of {@code sources}, each partition's rows tallied into
   * {@code tallies} (under {@link RowTally#partition}) and its rejects written under {@code rejectsDir}
   * as they pass.
   */
  static JavaRDD<ParsedRow<SourceValues>> of(
      JavaRDD<ParsedRow<SourceValues>> parsed,
      int source,
      int sources,
      SerializableConf conf,
      String rejectsDir,
      PartitionTallies<RowTally> tallies) {
    return parsed.mapPartitionsWithIndex(
        (p, it) ->
            new AcceptedRows(
                source,
                sources,
                it,
                conf.get(),
                new Path(rejectsDir, String.format("part-%03d-%05d.json", source, p)),
                t -> tallies.add(RowTally.partition(source, p), t)),
        false);
  }

  @Override
  public boolean hasNext() {
    while (next == null && !finished) {
      if (!rows.hasNext()) {
        finish();
      } else {
        ParsedRow<SourceValues> r = rows.next();
        if (r.isOk()) {
          tally.accept(source);
          next = r;
        } else {
          reject(r);
        }
      }
    }
    return next != null;
  }

  @Override
  public ParsedRow<SourceValues> next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ParsedRow<SourceValues> r = next;
    next = null;
    return r;
  }

  private void reject(ParsedRow<SourceValues> r) {
    tally.reject(source, r.reject().category());
    try {
      if (rejects == null) {
        rejects =
            new BufferedWriter(
                new OutputStreamWriter(
                    rejectFile.getFileSystem(conf).create(rejectFile, true),
                    StandardCharsets.UTF_8));
        // Closed at the end of the rows, or with the task when it fails first.
        TaskContext task = TaskContext.get();
        if (task != null) {
          task.addTaskCompletionListener((TaskCompletionListener) c -> closeQuietly());
        }
      }
      rejects.write(JSON.writeValueAsString(r.reject()));
      rejects.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rejects file " + rejectFile, e);
    }
  }

  private void closeQuietly() {
    try {
      rejects.close();
    } catch (IOException e) {
      LOG.warn("cannot close the rejects file {} of a task that ended early", rejectFile, e);
    }
  }

  private void finish() {
    finished = true;
    try {
      if (rejects != null) {
        rejects.close();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the rejects file " + rejectFile, e);
    }
    done.accept(tally);
  }
}
