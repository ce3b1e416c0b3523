package org.mtlspark.prep.source;

import java.io.Serializable;

/**
 * A source row that could not be used: where it came from (source, file, line or 0 when the format
 * has no lines), its key if one could be read, the field at fault and why, and the raw row (cut).
 */
public record Reject(String source, String file, long line, String key, String field, String reason, String raw)
    implements Serializable {

  private static final int MAX_RAW = 300;

  public Reject {
    raw = raw == null ? "" : raw.length() > MAX_RAW ? raw.substring(0, MAX_RAW) + "..." : raw;
    key = key == null ? "" : key;
  }

  /** A short grouping label for counting rejects: source, field and reason without values. */
  public String category() {
    return source + "." + field + ": " + reason.replaceAll("\"[^\"]*\"", "\"…\"").replaceAll("\\d+", "N");
  }
}
