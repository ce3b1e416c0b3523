package org.mtlspark.prep.split;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.PrepException;

/**
 * Assigns a key to a split by a 64-bit FNV-1a hash of salt and key, mapped to [0, 1). The
 * assignment depends on nothing but the key, so it is stable when data is added later. With a
 * group column ({@code group} >= 0: its index in a composite key), only that column's value is
 * hashed, so that every record sharing it lands in the same split. With {@code named}, that
 * column's value is the split's name instead.
 */
public record KeySplit(double train, double validation, String salt, int group, boolean named)
    implements Serializable {

  public KeySplit(double train, double validation, String salt) {
    this(train, validation, salt, -1, false);
  }

  public KeySplit(double train, double validation, String salt, int group) {
    this(train, validation, salt, group, false);
  }

  /** The split of a configuration whose record key is {@code key}. */
  public static KeySplit of(PrepConfig.SplitConfig c, List<String> key) {
    return new KeySplit(c.train(), c.validation(), c.salt(), key.indexOf(c.by()), c.named());
  }

  public Split assign(String key) {
    String hashed = group < 0 ? key : org.mtlspark.prep.source.Keys.split(key)[group];
    if (named) {
      for (Split s : Split.values()) {
        if (s.id().equals(hashed)) {
          return s;
        }
      }
      throw new PrepException("prep.split.named: the key column that names the split holds \"" + hashed
          + "\" (record " + org.mtlspark.prep.source.Keys.display(key) + "); expected train, validation or test");
    }
    double u = unit(salt + "\u0000" + hashed);
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
