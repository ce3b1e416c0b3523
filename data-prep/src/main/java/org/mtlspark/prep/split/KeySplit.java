package org.mtlspark.prep.split;

import java.io.Serializable;
import java.util.List;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.PrepException;

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
    String hashed = group < 0 ? key : Keys.split(key)[group];
    if (named) {
      for (Split s : Split.values()) {
        if (s.id().equals(hashed)) {
          return s;
        }
      }
      throw new PrepException(
          "prep.split.named: the key column that names the split holds \""
              + hashed
              + "\" (record "
              + Keys.display(key)
              + "); expected train, validation or test");
    }
    double u = unit(salt, "\u0000", hashed);
    if (u < train) {
      return Split.TRAIN;
    }
    return u < train + validation ? Split.VALIDATION : Split.TEST;
  }

  /**
   * A uniform value in [0, 1) from the FNV-1a hash of the UTF-8 bytes of {@code parts}, one after the
   * other (the hash of their concatenation, without building it; each part is encoded on its own,
   * so a surrogate pair must not straddle two parts), finished with a mixer.
   */
  public static double unit(String... parts) {
    long h = 0xcbf29ce484222325L;
    for (String part : parts) {
      h = fnv(h, part);
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return (h >>> 11) * 0x1.0p-53;
  }

  /** FNV-1a over the UTF-8 encoding of {@code s} (an unpaired surrogate as '?', as String.getBytes does). */
  private static long fnv(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        h = step(h, c);
      } else if (c < 0x800) {
        h = step(step(h, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
      } else if (!Character.isSurrogate(c)) {
        h = step(step(step(h, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        h =
            step(
                step(
                    step(step(h, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f)),
                    0x80 | ((cp >> 6) & 0x3f)),
                0x80 | (cp & 0x3f));
      } else {
        h = step(h, '?');
      }
    }
    return h;
  }

  private static long step(long h, int b) {
    return (h ^ b) * 0x100000001b3L;
  }
}
