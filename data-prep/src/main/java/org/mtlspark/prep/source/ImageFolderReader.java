package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Reads a folder of image files: the key is the file name without its extension, the image is
 * decoded, turned grey and resized on the executor that reads it, so that only the small pixel
 * array, never the encoded file, travels through the alignment. A file larger than
 * {@code prep.image.maxBytes} is read no further than that, and rejected.
 */
public final class ImageFolderReader {
  /** The cell name under which a file's bytes reach the {@link RowInterpreter}. */
  public static final String BYTES = "\u0000bytes";

  private ImageFolderReader() {}

  public static JavaRDD<ParsedRow<SourceValues>> read(
      JavaSparkContext jsc,
      SerializableConf conf,
      List<String> files,
      List<String> keyColumns,
      RowInterpreter interpreter) {
    String keyColumn = keyColumns.get(0);
    long maxBytes = interpreter.maxImageBytes();
    int slices = Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 4));
    return jsc.parallelize(files, slices)
        .map(
            file -> {
              Path p = new Path(file);
              byte[] bytes;
              try (InputStream in = p.getFileSystem(conf.get()).open(p)) {
                bytes = ImageDecoder.readAtMost(in, maxBytes);
              } catch (IOException e) {
                return ParsedRow.rejected(
                    new Reject(
                        interpreter.sourceName(),
                        file,
                        0,
                        keyOf(p.getName()),
                        "(file)",
                        "cannot read: " + e.getMessage(),
                        ""));
              } catch (IllegalArgumentException e) {
                return ParsedRow.rejected(
                    new Reject(
                        interpreter.sourceName(),
                        file,
                        0,
                        keyOf(p.getName()),
                        "(file)",
                        e.getMessage(),
                        ""));
              }
              String key = keyOf(p.getName());
              byte[] content = bytes;
              return interpreter.interpret(
                  file,
                  0,
                  column -> column.equals(keyColumn) ? key : column.equals(BYTES) ? content : null,
                  p.getName());
            });
  }

  static String keyOf(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 ? fileName.substring(0, dot) : fileName;
  }
}
