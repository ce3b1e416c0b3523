package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Token ids for text: lower-cased runs of letters and digits, or with {@code whitespace} the
 * lower-cased pieces between whitespace (and, when the vocabulary holds them, pairs of neighbouring
 * tokens), looked up in a vocabulary fit on the training split. Id 0 pads, 1 is
 * an unknown token, 2 stands for "no text"; vocabulary tokens start at 3. With character buckets,
 * a word outside the vocabulary is its hashed character trigrams instead of the unknown token: ids
 * after the vocabulary's, one per bucket. With shapes, a word outside the vocabulary is one of
 * {@link #SHAPES} ids after those by its shape ({@link #shape}: capitalized, all capitals, lower
 * case, digits, ...), so that an unseen name still looks like one.
 */
public final class TextVocabulary implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final int PAD = 0;
  public static final int UNKNOWN = 1;
  public static final int NO_TEXT = 2;
  public static final int FIRST_TOKEN = 3;

  private final List<String> tokens;
  private final int charBuckets;
  private final boolean whitespace;
  private final boolean keepCase;
  private final boolean shapes;
  private transient Map<String, Integer> ids;
  private transient Boolean hasPairs;

  public TextVocabulary(List<String> tokens) {
    this(tokens, 0);
  }

  /** A vocabulary whose missing words become hashed character trigrams over {@code charBuckets}. */
  public TextVocabulary(List<String> tokens, int charBuckets) {
    this(tokens, charBuckets, false, false);
  }

  /**
   * As {@link #TextVocabulary(List, int)}, cutting texts at whitespace when {@code whitespace},
   * the tokens keeping their case when {@code keepCase}.
   */
  public TextVocabulary(
      List<String> tokens, int charBuckets, boolean whitespace, boolean keepCase) {
    this(tokens, charBuckets, whitespace, keepCase, false);
  }

  /**
   * As {@link #TextVocabulary(List, int, boolean, boolean)}, a word outside the vocabulary taking
   * its shape's id when {@code shapes} (and no character buckets are given).
   */
  public TextVocabulary(
      List<String> tokens, int charBuckets, boolean whitespace, boolean keepCase, boolean shapes) {
    if (charBuckets < 0) {
      throw new IllegalArgumentException(
          "character buckets must be at least 0, was " + charBuckets);
    }
    this.tokens = List.copyOf(tokens);
    this.charBuckets = charBuckets;
    this.whitespace = whitespace;
    this.keepCase = keepCase;
    this.shapes = shapes;
  }

  /** The shapes a word outside the vocabulary may take with shapes on. */
  public static final int SHAPES = 7;

  /**
   * The shape of a token: 0 capitalized ({@code Paris}), 1 all capitals ({@code NASA}), 2 lower
   * case ({@code paris}), 3 digits ({@code 2024}), 4 digits with other characters ({@code 3.5},
   * {@code 4th}), 5 no letter or digit ({@code --}), 6 anything else ({@code iPhone}).
   */
  public static int shape(String token) {
    boolean letters = false;
    boolean digits = false;
    boolean upper = false;
    boolean lowerAfterFirst = false;
    boolean upperAfterFirst = false;
    boolean other = false;
    int i = 0;
    for (int cp : token.codePoints().toArray()) {
      if (Character.isLetter(cp)) {
        letters = true;
        upper |= i == 0 && Character.isUpperCase(cp);
        lowerAfterFirst |= i > 0 && Character.isLowerCase(cp);
        upperAfterFirst |= i > 0 && Character.isUpperCase(cp);
      } else if (Character.isDigit(cp)) {
        digits = true;
      } else {
        other = true;
      }
      i++;
    }
    if (digits) {
      return letters || other ? 4 : 3;
    }
    if (!letters) {
      return 5;
    }
    if (upper && !lowerAfterFirst) {
      return token.codePointCount(0, token.length()) > 1 ? 1 : 0;
    }
    if (upper && !upperAfterFirst) {
      return 0;
    }
    return !upper && !upperAfterFirst ? 2 : 6;
  }

  /** The id of a word outside the vocabulary: its shape's with shapes on, else {@link #UNKNOWN}. */
  private int unknown(String token) {
    return shapes ? idCount(tokens.size(), charBuckets) + shape(token) : UNKNOWN;
  }

  /**
   * The character trigrams of {@code word} between the boundary marks {@code <} and {@code >}
   * ({@code "tea"}: {@code <te, tea, ea>}; a one-letter word is one trigram), by code point.
   */
  public static List<String> charTrigrams(String word) {
    int[] cps = ("<" + word + ">").codePoints().toArray();
    List<String> out = new ArrayList<>(Math.max(1, cps.length - 2));
    for (int i = 0; i + 3 <= cps.length; i++) {
      out.add(new String(cps, i, 3));
    }
    return out;
  }

  /**
   * The bucket of a character trigram: Java's {@link String#hashCode} (defined by the language, so
   * the same on every machine and JVM) modulo the buckets.
   */
  public static int charBucket(String trigram, int buckets) {
    return Math.floorMod(trigram.hashCode(), buckets);
  }

  /**
   * The tokens of {@code text}: lower case, split on anything that is not a letter or digit (the
   * Unicode categories L and N, as the regular expression {@code [^\\p{L}\\p{N}]+} would split).
   */
  public static List<String> tokenize(String text) {
    return runs(text.toLowerCase(Locale.ROOT));
  }

  /** The runs of letters and digits of {@code text}, in its own case. */
  private static List<String> runs(String text) {
    String lower = text;
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

  /**
   * The tokens of {@code text}: its whitespace-separated pieces when {@code whitespace}, else its
   * runs of letters and digits; lower case unless {@code keepCase}.
   */
  public static List<String> tokenize(String text, boolean whitespace, boolean keepCase) {
    if (!whitespace) {
      return keepCase ? runs(text) : tokenize(text);
    }
    String stripped = keepCase ? text.strip() : text.strip().toLowerCase(Locale.ROOT);
    return stripped.isEmpty() ? List.of() : List.of(stripped.split("\\s+"));
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

  /**
   * The terms of {@code text} in text order: its tokens, and with {@code ngrams} 2 each pair of
   * neighbouring tokens ("good price") after the first of them: {@code w0, "w0 w1", w1, "w1 w2",
   * w2}. A pair holds a space, which no token does.
   */
  public static List<String> terms(String text, int ngrams) {
    return terms(text, ngrams, false, false);
  }

  /**
   * As {@link #terms(String, int)}, the tokens cut at whitespace when {@code whitespace} and in
   * their own case when {@code keepCase}.
   */
  public static List<String> terms(String text, int ngrams, boolean whitespace, boolean keepCase) {
    List<String> toks = tokenize(text, whitespace, keepCase);
    if (ngrams < 2 || toks.size() < 2) {
      return toks;
    }
    List<String> out = new ArrayList<>(2 * toks.size() - 1);
    for (int i = 0; i < toks.size(); i++) {
      out.add(toks.get(i));
      if (i + 1 < toks.size()) {
        out.add(toks.get(i) + " " + toks.get(i + 1));
      }
    }
    return out;
  }

  /**
   * Token ids of {@code text} cut or padded to {@code length}; fills {@code mask} with 1 where a
   * token is. Every token takes a position (its id, or {@link #UNKNOWN}), or with character
   * buckets a word outside the vocabulary one per trigram; a pair of neighbouring tokens takes one
   * after the first of them only when the vocabulary holds it, so a vocabulary of words alone
   * encodes words alone.
   */
  public void encode(String text, int length, float[] ids, float[] mask) {
    encodeTokens(tokensOf(text), length, ids, mask);
  }

  /** As {@link #encode}, from the text's tokens as {@link #tokensOf} cuts them. */
  public void encodeTokens(List<String> toks, int length, float[] ids, float[] mask) {
    if (toks.isEmpty()) {
      encodeNoText(ids, mask);
      return;
    }
    Map<String, Integer> lookup = lookup();
    boolean pairs = hasPairs();
    int at = 0;
    int firstChar = idCount(tokens.size(), 0); // the buckets follow the vocabulary's ids
    for (int i = 0; i < toks.size() && at < length; i++) {
      Integer id = lookup.get(toks.get(i));
      if (id == null && charBuckets > 0) {
        for (String gram : charTrigrams(toks.get(i))) {
          if (at == length) {
            break;
          }
          ids[at] = firstChar + charBucket(gram, charBuckets);
          mask[at++] = 1;
        }
      } else {
        ids[at] = id == null ? unknown(toks.get(i)) : id;
        mask[at++] = 1;
      }
      if (pairs && i + 1 < toks.size() && at < length) {
        Integer pair = lookup.get(toks.get(i) + " " + toks.get(i + 1));
        if (pair != null) {
          ids[at] = pair;
          mask[at++] = 1;
        }
      }
    }
  }

  private boolean hasPairs() {
    if (hasPairs == null) {
      hasPairs = tokens.stream().anyMatch(t -> t.indexOf(' ') >= 0);
    }
    return hasPairs;
  }

  /** How a record without text is encoded: one "no text" token under the mask, the rest padding. */
  public static void encodeNoText(float[] ids, float[] mask) {
    java.util.Arrays.fill(ids, PAD);
    java.util.Arrays.fill(mask, 0);
    ids[0] = NO_TEXT;
    mask[0] = 1;
  }

  /**
   * Ids in use, including the reserved ones, the character buckets and the shapes: the embedding's
   * input size.
   */
  public int size() {
    return idCount(tokens.size(), charBuckets) + (shapes ? SHAPES : 0);
  }

  /** The ids of a vocabulary of {@code words} tokens and {@code charBuckets} trigram buckets, the reserved ids included. */
  public static int idCount(int words, int charBuckets) {
    return FIRST_TOKEN + words + charBuckets;
  }

  public List<String> tokens() {
    return tokens;
  }

  /** The tokens of {@code text} as this vocabulary cuts them (null: none). */
  public List<String> tokensOf(String text) {
    return text == null ? List.of() : tokenize(text, whitespace, keepCase);
  }

  /** Whether {@code token} (as {@link #tokensOf} cuts it) has an id of its own. */
  public boolean contains(String token) {
    return lookup().containsKey(token);
  }

  /** Whether a word outside the vocabulary is read by its character trigrams. */
  public boolean hasCharBuckets() {
    return charBuckets > 0;
  }

  /** The id of one token: its vocabulary id, else its shape's or {@link #UNKNOWN}. */
  public int id(String token) {
    Integer id = lookup().get(token);
    return id == null ? unknown(token) : id;
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
