package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.Reader;

/**
 * The first {@code maxChars} characters of a stream, then its end; {@link #cut()} tells whether
 * the stream had more that a reader asked for. Used where the driver looks at the start of a
 * file before any Spark job, so that a file without line breaks is never read whole there.
 */
final class LimitedReader extends Reader {
  private final Reader in;
  private long left;
  private boolean cut;

  LimitedReader(Reader in, long maxChars) {
    this.in = in;
    this.left = maxChars;
  }

  @Override
  public int read(char[] buffer, int offset, int length) throws IOException {
    if (length == 0) {
      return 0;
    }
    if (left == 0) {
      cut = cut || in.read() != -1;
      return -1;
    }
    int n = in.read(buffer, offset, (int) Math.min(length, left));
    if (n > 0) {
      left -= n;
    }
    return n;
  }

  /** Whether a read went past the limit while the stream still had characters. */
  boolean cut() {
    return cut;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
