package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.Serializable;
import java.nio.charset.Charset;
import java.util.Iterator;

/** A text source format (CSV, JSON lines): how the characters of one file become rows. */
public interface TextFormat<T extends Serializable> extends Serializable {

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
