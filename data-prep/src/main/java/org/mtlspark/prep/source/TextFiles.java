package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Opens a text file on any Hadoop filesystem for reading: decompressed by the codec its name
 * calls for ({@code .gz}, {@code .bz2}, and the others Hadoop knows), decoded in the given
 * charset, with a leading byte-order mark dropped.
 */
public final class TextFiles {
  private static final int BUFFER = 1 << 16;

  private TextFiles() {}

  public static BufferedReader open(Configuration conf, String file, Charset charset)
      throws IOException {
    Path path = new Path(file);
    InputStream in = path.getFileSystem(conf).open(path);
    try {
      CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
      if (codec != null) {
        in = codec.createInputStream(in);
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, charset), BUFFER);
      reader.mark(1);
      if (reader.read() != '\uFEFF') {
        reader.reset();
      }
      return reader;
    } catch (IOException | RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
