package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.Iterator;

/** A text source format (CSV, JSON lines): how the characters of one file become rows. */
public interface TextFormat<T extends Serializable> extends Serializable {
  /**
   * The longest record (a CSV record, a JSON line) read whole, 16 Mi characters; a longer one is
   * read to its end without being held and rejected, so one record costs bounded memory.
   */
  int MAX_RECORD_CHARS = 1 << 24;

  /** The source's name, for rejects. */
  String sourceName();

  /** The character encoding of the source's files. */
  Charset charset();

  /**
   * The rows of one file, read lazily from {@code in} (already decompressed and decoded, without a
   * byte-order mark); the caller closes {@code in}. Every row carries its first line, 1-based.
   */
  Iterator<ParsedRow<T>> rows(String file, BufferedReader in);
}
