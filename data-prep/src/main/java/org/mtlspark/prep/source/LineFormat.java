package org.mtlspark.prep.source;

import java.io.Serializable;

/** A line-oriented source format (CSV, JSON lines): how to parse the lines of one file. */
public interface LineFormat<T extends Serializable> extends Serializable {

  /** The source's name, for rejects. */
  String sourceName();

  /** Whether the first line of every file is a header. */
  boolean hasHeader();

  /** A parser for one file, given its header line when {@link #hasHeader()}, else null. */
  FileParser<T> open(String file, String header);

  /** Parses the lines of one file. */
  interface FileParser<T extends Serializable> {
    /** Parses line {@code lineNumber} (1-based, counting the header). */
    ParsedRow<T> parse(long lineNumber, String line);
  }
}
