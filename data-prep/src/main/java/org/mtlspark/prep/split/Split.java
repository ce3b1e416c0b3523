package org.mtlspark.prep.split;

import java.util.Locale;

/** The three splits of a prepared data set. */
public enum Split {
  TRAIN,
  VALIDATION,
  TEST;

  /** The name used in paths and reports. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
