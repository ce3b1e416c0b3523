package org.mtlspark.prep.source;

import java.io.Serializable;

/**
 * The labels of one record, one cell per task in configuration order, normalized: a regression
 * value as a number string, a binary label as "0" or "1", a class as its name; null when missing.
 */
public record LabelValues(String[] values) implements Serializable {
  public boolean any() {
    for (String v : values) {
      if (v != null) {
        return true;
      }
    }
    return false;
  }
}
