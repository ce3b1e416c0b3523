package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Token ids for text: lower-cased runs of letters and digits, looked up in a vocabulary fit on the
 * training split. Id 0 pads, 1 is an unknown token, 2 stands for "no text"; vocabulary tokens
 * start at 3.
 */
public final class TextVocabulary implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int PAD = 0;
  public static final int UNKNOWN = 1;
  public static final int NO_TEXT = 2;
  public static final int FIRST_TOKEN = 3;

  private final List<String> tokens;
  private transient Map<String, Integer> ids;

  public TextVocabulary(List<String> tokens) {
    this.tokens = List.copyOf(tokens);
  }

  /**
   * The tokens of {@code text}: lower case, split on anything that is not a letter or digit (the
   * Unicode categories L and N, as the regular expression {@code [^\\p{L}\\p{N}]+} would split).
   */
  public static List<String> tokenize(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    List<String> out = new ArrayList<>();
    int start = -1;
    int i = 0;
    while (i < lower.length()) {
      char c = lower.charAt(i);
      int cp = Character.isSurrogate(c) ? lower.codePointAt(i) : c;
      boolean inToken = isLetterOrDigit(cp);
      if (inToken && start < 0) {
        start = i;
      } else if (!inToken && start >= 0) {
        out.add(lower.substring(start, i));
        start = -1;
      }
      i += Character.charCount(cp);
    }
    if (start >= 0) {
      out.add(lower.substring(start));
    }
    return out;
  }

  private static boolean isLetterOrDigit(int cp) {
    if (cp < 0x80) {
      return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z');
    }
    int type = Character.getType(cp);
    return Character.isLetter(cp)
        || type == Character.DECIMAL_DIGIT_NUMBER
        || type == Character.LETTER_NUMBER
        || type == Character.OTHER_NUMBER;
  }

  /** Token ids of {@code text} cut or padded to {@code length}; fills {@code mask} with 1 where a token is. */
  public void encode(String text, int length, float[] ids, float[] mask) {
    List<String> toks = text == null ? List.of() : tokenize(text);
    if (toks.isEmpty()) {
      encodeNoText(ids, mask);
      return;
    }
    Map<String, Integer> lookup = lookup();
    for (int i = 0; i < Math.min(length, toks.size()); i++) {
      ids[i] = lookup.getOrDefault(toks.get(i), UNKNOWN);
      mask[i] = 1;
    }
  }

  /** How a record without text is encoded: one "no text" token under the mask, the rest padding. */
  public static void encodeNoText(float[] ids, float[] mask) {
    java.util.Arrays.fill(ids, PAD);
    java.util.Arrays.fill(mask, 0);
    ids[0] = NO_TEXT;
    mask[0] = 1;
  }

  /** Ids in use, including the reserved ones: the embedding's input size. */
  public int size() {
    return FIRST_TOKEN + tokens.size();
  }

  public List<String> tokens() {
    return tokens;
  }

  private Map<String, Integer> lookup() {
    if (ids == null) {
      Map<String, Integer> m = new HashMap<>();
      for (int i = 0; i < tokens.size(); i++) {
        m.put(tokens.get(i), FIRST_TOKEN + i);
      }
      ids = m;
    }
    return ids;
  }
}
