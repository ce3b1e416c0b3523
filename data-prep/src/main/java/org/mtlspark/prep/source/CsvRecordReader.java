package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads CSV records from a character stream as RFC 4180 describes them: a quoted cell may hold the
 * delimiter, line breaks ({@code \n}, {@code \r\n} or {@code \r}) and doubled quotes; a quote in
 * the middle of an unquoted cell is an ordinary character. Blank lines between records are
 * skipped. Records are streamed; only the current one is held.
 *
 * <p>Malformed quoting never shifts record boundaries: text after a closing quote is kept in the
 * cell and the record is marked malformed; a quote left open makes the rest of the file one
 * malformed record, and a record longer than {@link #MAX_RECORD_CHARS} characters is cut and marked
 * malformed, so a stray quote costs memory no larger than that.
 */
public final class CsvRecordReader {
  /** The longest record kept whole (16 Mi characters); a longer one is cut and marked malformed. */
  public static final int MAX_RECORD_CHARS = TextFormat.MAX_RECORD_CHARS;

  private static final int MAX_RAW = 2000;
  private static final int EOF = CharCursor.EOF;

  private final CharCursor chars;
  private final CsvDialect dialect;
  private final int maxRecordChars;

  /** The physical line of the next character, 1-based. */
  private long line;

  /** A reader whose first character is on line {@code firstLine}. */
  public CsvRecordReader(Reader in, CsvDialect dialect, long firstLine) {
    this(in, dialect, firstLine, MAX_RECORD_CHARS);
  }

  CsvRecordReader(Reader in, CsvDialect dialect, long firstLine, int maxRecordChars) {
    this.chars = new CharCursor(in, 1 << 16);
    this.dialect = dialect;
    this.line = firstLine;
    this.maxRecordChars = maxRecordChars;
  }

  /** The next record, or null at the end of the stream. */
  public CsvRecord next() throws IOException {
    while (true) {
      int c = skipLineBreaks();
      if (c == EOF) {
        return null;
      }
      CsvRecord r = record(c);
      if (r.cells().size() == 1
          && r.isWellFormed()
          && r.cells().get(0).isBlank()
          && !startsQuoted(r)) {
        continue; // a line of blanks, not a record
      }
      return r;
    }
  }

  private boolean startsQuoted(CsvRecord r) {
    return !r.raw().isEmpty() && r.raw().charAt(0) == dialect.quote();
  }

  /** Consumes line breaks; returns the first other character (consumed), or EOF. */
  private int skipLineBreaks() throws IOException {
    while (true) {
      int c = read();
      if (c == '\n') {
        line++;
      } else if (c == '\r') {
        if (peek() == '\n') {
          read();
        }
        line++;
      } else {
        return c;
      }
    }
  }

  private enum State {
    CELL_START,
    UNQUOTED,
    QUOTED,
    AFTER_QUOTE
  }

  private CsvRecord record(int first) throws IOException {
    long start = line;
    char delimiter = dialect.delimiter();
    char quote = dialect.quote();
    char escape = dialect.escape();
    boolean escapes = dialect.hasEscape();
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    StringBuilder raw = new StringBuilder();
    String problem = null;
    long length = 0;
    boolean cut = false;
    State state = State.CELL_START;
    boolean lastBreak = false;
    int c = first;
    while (true) {
      if (c == EOF) {
        if (state == State.QUOTED) {
          long lines = line - start + (lastBreak ? 0 : 1);
          problem =
              firstOf(
                  problem,
                  "unclosed quote in cell "
                      + (cells.size() + 1)
                      + ": the record starting at line "
                      + start
                      + " runs to the end of the file ("
                      + lines
                      + " lines)");
        }
        cells.add(cell.toString());
        return new CsvRecord(start, cells, raw.toString(), problem);
      }
      if (raw.length() < MAX_RAW) {
        raw.append((char) c);
      }
      if (++length > maxRecordChars && !cut) {
        problem =
            firstOf(
                problem,
                "a record longer than " + maxRecordChars + " characters (an unclosed quote?)");
        // The record is a reject from here on: its cells are dropped, so that memory stays bounded
        // by the limit however long it runs; only the start (raw) is kept for the report.
        cut = true;
        cells.clear();
        cell = new StringBuilder();
      }
      boolean keep = !cut;
      boolean lineBreak = c == '\n' || c == '\r';
      lastBreak = lineBreak;
      if (lineBreak) {
        if (c == '\r' && peek() == '\n') {
          read();
          if (state == State.QUOTED && keep) {
            (cell = room(cell)).append('\r');
          }
          c = '\n';
        }
        line++;
      }
      if (state != State.QUOTED && c == delimiter) {
        if (keep) {
          cells.add(cell.toString());
        }
        cell.setLength(0);
        state = State.CELL_START;
      } else if (state != State.QUOTED && lineBreak) {
        cells.add(cell.toString());
        return new CsvRecord(start, cells, trimBreak(raw), problem);
      } else {
        switch (state) {
          case CELL_START, UNQUOTED -> {
            if (state == State.CELL_START && c == quote) {
              state = State.QUOTED;
            } else {
              state = State.UNQUOTED;
              if (escapes && c == escape) {
                c = literal(raw);
                if (c == EOF) {
                  continue;
                }
              }
              if (keep) {
                (cell = room(cell)).append((char) c);
              }
            }
          }
          case QUOTED -> {
            if (c == quote) {
              if (peek() == quote) {
                read();
                appendRaw(raw, quote);
                if (keep) {
                  (cell = room(cell)).append(quote);
                }
              } else {
                state = State.AFTER_QUOTE;
              }
            } else if (escapes && c == escape) {
              c = literal(raw);
              if (c == EOF) {
                continue;
              }
              if (keep) {
                (cell = room(cell)).append((char) c);
              }
            } else if (keep) {
              (cell = room(cell)).append((char) c);
            }
          }
          case AFTER_QUOTE -> {
            problem =
                firstOf(problem, "text after the closing quote of cell " + (cells.size() + 1));
            state = State.UNQUOTED;
            if (keep) {
              (cell = room(cell)).append((char) c);
            }
          }
          default -> throw new IllegalStateException(state.toString());
        }
      }
      c = read();
    }
  }

  /**
   * {@code cell}, or, once a full cell's next doubling would pass half the limit, a copy with room
   * for a whole record: a long cell costs at most one and a half times the limit while it grows,
   * never an array of twice the limit beside the old one.
   */
  private StringBuilder room(StringBuilder cell) {
    if (cell.length() == cell.capacity()
        && (cell.capacity() * 2L + 2) * 2 > maxRecordChars
        && cell.capacity() < maxRecordChars) {
      return new StringBuilder(maxRecordChars).append(cell);
    }
    return cell;
  }

  /**
   * The character after an escape character, taken literally; an escaped line break (\n, \r\n or
   * \r) is one \n in the cell, and still counts as a line.
   */
  private int literal(StringBuilder raw) throws IOException {
    int c = read();
    if (c == EOF) {
      return EOF;
    }
    appendRaw(raw, (char) c);
    if (c == '\r') {
      if (peek() == '\n') {
        read();
      }
      c = '\n';
    }
    if (c == '\n') {
      line++;
    }
    return c;
  }

  private static void appendRaw(StringBuilder raw, char c) {
    if (raw.length() < MAX_RAW) {
      raw.append(c);
    }
  }

  private static String trimBreak(StringBuilder raw) {
    int n = raw.length();
    while (n > 0 && (raw.charAt(n - 1) == '\n' || raw.charAt(n - 1) == '\r')) {
      n--;
    }
    return raw.substring(0, n);
  }

  private static String firstOf(String a, String b) {
    return a != null ? a : b;
  }

  private int read() throws IOException {
    return chars.read();
  }

  private int peek() throws IOException {
    return chars.peek();
  }
}
