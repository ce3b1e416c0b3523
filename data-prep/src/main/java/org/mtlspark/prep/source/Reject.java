package org.mtlspark.prep.source;

import java.io.Serializable;

/**
 * A source row that could not be used: where it came from (source, file, line or 0 when the format
 * has no lines), its key if one could be read, the field at fault and why, and the raw row (cut).
 */
public record Reject(
    String source, String file, long line, String key, String field, String reason, String raw)
    implements Serializable {

  private static final int MAX_RAW = 300;

  public Reject {
    raw = raw == null ? "" : raw.length() > MAX_RAW ? raw.substring(0, MAX_RAW) + "..." : raw;
    key = key == null ? "" : key;
  }

  /** A short grouping label for counting rejects: source, field and reason without values. */
  public String category() {
    return source + "." + field + ": " + withoutValues(reason);
  }

  /**
   * A reason with its data-dependent parts replaced: outside parentheses, a quoted value becomes
   * "…" and a number N ("expected N cells, found N"; digits within a word, as in log1p, stay). A
   * parenthesised part states the rule the data broke ("(yes/no, y/n, true/false, t/f, 1/0)",
   * "(a number or ISO-8601 text)") and is kept as it is, quotes included.
   */
  static String withoutValues(String reason) {
    StringBuilder sb = new StringBuilder(reason.length());
    int depth = 0;
    int i = 0;
    while (i < reason.length()) {
      char ch = reason.charAt(i);
      if (ch == '"') {
        int close = reason.indexOf('"', i + 1);
        int end = close < 0 ? reason.length() : close + 1;
        sb.append(depth > 0 ? reason.substring(i, end) : "\"…\"");
        i = end;
      } else if (depth == 0 && Character.isDigit(ch)) {
        int start = i;
        while (i < reason.length() && Character.isDigit(reason.charAt(i))) {
          i++;
        }
        boolean inWord =
            start > 0 && Character.isLetter(reason.charAt(start - 1))
                || i < reason.length() && Character.isLetter(reason.charAt(i));
        sb.append(inWord ? reason.substring(start, i) : "N");
      } else {
        depth += ch == '(' ? 1 : ch == ')' && depth > 0 ? -1 : 0;
        sb.append(ch);
        i++;
      }
    }
    return sb.toString();
  }
}
