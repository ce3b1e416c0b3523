package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines ending in {@code \n}, {@code \r\n} or {@code \r} from a character stream, as
 * {@link java.io.BufferedReader#readLine()} does, but keeps at most {@code maxChars} characters
 * of a line: a longer one is read to its end without being held and comes back cut, so one line
 * costs memory no larger than that however long it is.
 */
public final class LineReader {
  /** Characters kept of a line that is too long, to show in its reject. */
  static final int CUT_KEEPS = 2000;

  private static final int EOF = CharCursor.EOF;

  /** One line without its line break; {@code cut} when it was longer than the limit (then only its start is kept). */
  public record Line(String text, boolean cut) {}

  private final CharCursor chars;
  private final int maxChars;

  public LineReader(Reader in, int maxChars) {
    this.chars = new CharCursor(in, 1 << 13);
    this.maxChars = maxChars;
  }

  /** The next line, or null at the end of the stream. */
  public Line next() throws IOException {
    StringBuilder text = new StringBuilder();
    long length = 0;
    String start = null;
    int c = read();
    if (c == EOF) {
      return null;
    }
    while (c != EOF && c != '\n' && c != '\r') {
      if (++length <= maxChars) {
        text.append((char) c);
      } else if (start == null) {
        start = text.substring(0, Math.min(CUT_KEEPS, text.length()));
        text = null;
      }
      c = read();
    }
    if (c == '\r' && peek() == '\n') {
      read();
    }
    return start == null ? new Line(text.toString(), false) : new Line(start, true);
  }

  private int read() throws IOException {
    return chars.read();
  }

  private int peek() throws IOException {
    return chars.peek();
  }
}
