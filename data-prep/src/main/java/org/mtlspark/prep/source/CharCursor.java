package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.Reader;

/** A character stream read one character at a time through its own buffer, with one of look-ahead. */
final class CharCursor {
  static final int EOF = -1;

  private final Reader in;
  private final char[] buffer;
  private int position;
  private int limit;

  CharCursor(Reader in, int bufferChars) {
    this.in = in;
    this.buffer = new char[bufferChars];
  }

  /** The next character (consumed), or {@link #EOF}. */
  int read() throws IOException {
    if (position == limit && !fill()) {
      return EOF;
    }
    return buffer[position++];
  }

  /** The next character without consuming it, or {@link #EOF}. */
  int peek() throws IOException {
    if (position == limit && !fill()) {
      return EOF;
    }
    return buffer[position];
  }

  private boolean fill() throws IOException {
    int n;
    do {
      n = in.read(buffer, 0, buffer.length);
    } while (n == 0);
    if (n < 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
