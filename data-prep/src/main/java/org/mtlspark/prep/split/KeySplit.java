package org.mtlspark.prep.split;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * Assigns a key to a split by a 64-bit FNV-1a hash of salt and key, mapped to [0, 1). The
 * assignment depends on nothing but the key, so it is stable when data is added later.
 */
public record KeySplit(double train, double validation, String salt) implements Serializable {

  public Split assign(String key) {
    double u = unit(salt + "\u0000" + key);
    if (u < train) {
      return Split.TRAIN;
    }
    return u < train + validation ? Split.VALIDATION : Split.TEST;
  }

  /** A uniform value in [0, 1) from the FNV-1a hash of {@code s}, finished with a mixer. */
  public static double unit(String s) {
    long h = 0xcbf29ce484222325L;
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }
}
