package org.mtlspark.prep.feature;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.source.LineReader;
import org.mtlspark.prep.source.PrepException;

/**
 * Pretrained word vectors for a vocabulary's tokens, read from a file the user supplies on any
 * Hadoop filesystem path (a {@code .gz} name is decompressed): word2vec's text and binary formats,
 * fastText's {@code .vec} (word2vec's text format) and GloVe's text files (no header line). Only the
 * vocabulary's vectors are kept. A token takes the vector of the same word; when the vocabulary is
 * lower-cased, a word that differs only in case gives its vector to a token that has no exact match
 * (the file's first such word, the most frequent in files sorted by frequency).
 */
public final class WordVectors {
  private static final byte[] MAGIC = "MTLVEC1\n".getBytes(StandardCharsets.US_ASCII);

  /** The longest word or text line read before a file is called something else. */
  private static final int MOST_LINE_BYTES = 1 << 20;

  private final int dimension;
  private final float[][] rows;

  /**
   * Vectors of {@code rows.length} tokens, each {@code dimension} values, or null for a token that
   * has none.
   */
  public WordVectors(int dimension, float[][] rows) {
    this.dimension = dimension;
    this.rows = rows;
  }

  public int dimension() {
    return dimension;
  }

  /** The vector of vocabulary token {@code token} (0 is the first), or null. */
  public float[] row(int token) {
    return rows[token];
  }

  public int tokens() {
    return rows.length;
  }

  /** How many tokens have a vector. */
  public int covered() {
    int n = 0;
    for (float[] r : rows) {
      if (r != null) {
        n++;
      }
    }
    return n;
  }

  /**
   * Reads the vectors of {@code tokens} (a vocabulary's tokens in id order) from {@code path};
   * {@code lowercase}: the tokens are lower-cased words. Fails naming the file, line and problem
   * for a file that is not in the format, and when no token has a vector.
   */
  public static WordVectors read(
      Configuration hadoop,
      String path,
      PrepConfig.VectorsFormat format,
      List<String> tokens,
      boolean lowercase)
      throws IOException {
    Map<String, Integer> wanted = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      wanted.putIfAbsent(tokens.get(i), i);
    }
    requireFile(hadoop, path);
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    boolean binary =
        format == PrepConfig.VectorsFormat.BINARY
            || (format == PrepConfig.VectorsFormat.AUTO
                && path.toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "").endsWith(".bin"));
    Filler fill = new Filler(wanted, tokens.size(), lowercase);
    try (InputStream raw = fs.open(p);
        InputStream in =
            new BufferedInputStream(
                path.toLowerCase(Locale.ROOT).endsWith(".gz")
                    ? new GZIPInputStream(raw, 1 << 16)
                    : raw,
                1 << 16)) {
      if (binary) {
        readBinary(path, in, fill);
      } else {
        readText(path, in, fill);
      }
    }
    WordVectors v = new WordVectors(fill.dimension, fill.rows);
    if (!tokens.isEmpty() && v.covered() == 0) {
      throw new PrepException(
          "prep.text.vectors: none of the "
              + tokens.size()
              + " vocabulary tokens has a vector in "
              + path
              + " (the vocabulary "
              + (lowercase ? "is lower-cased" : "keeps case")
              + ", e.g. "
              + tokens.subList(0, Math.min(5, tokens.size()))
              + "): is it the right file, and do prep.text.lowercase and prep.text.split tokenize"
              + " as its words were?");
    }
    return v;
  }

  /** Refuses a {@code path} that is not a file: prep calls it before reading any data. */
  public static void requireFile(Configuration hadoop, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    if (!fs.exists(p) || fs.getFileStatus(p).isDirectory()) {
      throw new PrepException("prep.text.vectors: no word vectors file " + path);
    }
  }

  /** Keeps the wanted words' vectors: an exact match first, else a case-folded one. */
  private static final class Filler {
    final Map<String, Integer> wanted;
    final boolean lowercase;
    final float[][] rows;
    final boolean[] exact;
    int dimension = -1;

    Filler(Map<String, Integer> wanted, int tokens, boolean lowercase) {
      this.wanted = wanted;
      this.lowercase = lowercase;
      this.rows = new float[tokens][];
      this.exact = new boolean[tokens];
    }

    /** The token {@code word} would fill, or -1. */
    int target(String word) {
      Integer at = wanted.get(word);
      if (at != null && !exact[at]) {
        exact[at] = true;
        return at;
      }
      if (lowercase && at == null) {
        Integer folded = wanted.get(word.toLowerCase(Locale.ROOT));
        if (folded != null && rows[folded] == null) {
          return folded;
        }
      }
      return -1;
    }
  }

  private static void readText(String path, InputStream in, Filler fill) throws IOException {
    // A line is held up to 1 MB only: a binary file read as text has no line breaks for a long way.
    LineReader lines =
        new LineReader(new InputStreamReader(in, StandardCharsets.UTF_8), MOST_LINE_BYTES);
    LineReader.Line read;
    long number = 0;
    while ((read = lines.next()) != null) {
      number++;
      String line = read.text();
      if (read.cut() || line.indexOf('\0') >= 0) {
        throw new PrepException(
            path
                + " line "
                + number
                + ": not a text line (binary bytes or over 1 MB): for word2vec's binary format set"
                + " prep.text.vectorsFormat: binary");
      }
      String[] parts = line.strip().split("[ \t]+");
      if (number == 1 && parts.length == 2 && isCount(parts[0]) && isCount(parts[1])) {
        fill.dimension = Integer.parseInt(parts[1]); // word2vec and fastText: "words dimension"
        continue;
      }
      if (parts.length == 1 && parts[0].isEmpty()) {
        continue;
      }
      if (fill.dimension < 0) {
        fill.dimension = parts.length - 1; // GloVe: no header, the first line tells
        if (fill.dimension < 1) {
          throw new PrepException(
              path
                  + " line 1: a word without numbers: not a word vectors file (each line: a word"
                  + " and its vector's numbers, separated by spaces)");
        }
      }
      if (parts.length > fill.dimension + 1
          && fill.dimension > 0
          && !isNumber(parts[parts.length - fill.dimension - 1])) {
        // A word with spaces in it (GloVe's 840B file has some): the last numbers are the vector.
        String[] joined = new String[fill.dimension + 1];
        int cut = parts.length - fill.dimension;
        joined[0] = String.join(" ", java.util.Arrays.copyOfRange(parts, 0, cut));
        System.arraycopy(parts, cut, joined, 1, fill.dimension);
        parts = joined;
      }
      if (parts.length != fill.dimension + 1) {
        throw new PrepException(
            path
                + " line "
                + number
                + ": "
                + (parts.length - 1)
                + " numbers after the word \""
                + abbreviated(parts[0])
                + "\", the file's vectors have "
                + fill.dimension);
      }
      int at = fill.target(parts[0]);
      if (at >= 0) {
        float[] v = new float[fill.dimension];
        for (int d = 0; d < v.length; d++) {
          try {
            v[d] = Float.parseFloat(parts[d + 1]);
          } catch (NumberFormatException e) {
            throw new PrepException(
                path
                    + " line "
                    + number
                    + ": \""
                    + abbreviated(parts[d + 1])
                    + "\" (number "
                    + (d + 1)
                    + " of the word \""
                    + abbreviated(parts[0])
                    + "\") is not a number",
                e);
          }
        }
        fill.rows[at] = v;
      }
    }
    if (fill.dimension < 0) {
      throw new PrepException(path + ": an empty word vectors file");
    }
  }

  private static void readBinary(String path, InputStream in, Filler fill) throws IOException {
    String header = readUntil(in, '\n', path, "its first line");
    String[] parts = header == null ? new String[0] : header.strip().split("[ \t]+");
    if (parts.length != 2 || !isCount(parts[0]) || !isCount(parts[1])) {
      throw new PrepException(
          path
              + ": not word2vec's binary format (its first line must be the number of words and"
              + " the dimension, was \""
              + abbreviated(header == null ? "" : header.strip())
              + "\"); for a text file set prep.text.vectorsFormat: text");
    }
    long words = Long.parseLong(parts[0]);
    fill.dimension = Integer.parseInt(parts[1]);
    if (fill.dimension < 1) {
      throw new PrepException(path + ": a dimension of " + fill.dimension + " in its first line");
    }
    DataInputStream data = new DataInputStream(in);
    byte[] bytes = new byte[4 * fill.dimension];
    ByteBuffer floats = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (long w = 0; w < words; w++) {
      String word = readUntil(in, ' ', path, "word " + (w + 1));
      if (word == null) {
        throw new PrepException(
            path + ": ends after " + w + " of the " + words + " words its first line announces");
      }
      word = word.strip(); // the newline some writers put after each vector
      try {
        data.readFully(bytes);
      } catch (EOFException e) {
        throw new PrepException(
            path + ": ends inside the vector of word " + (w + 1) + " (\"" + word + "\")", e);
      }
      int at = fill.target(word);
      if (at >= 0) {
        float[] v = new float[fill.dimension];
        floats.rewind();
        floats.asFloatBuffer().get(v);
        fill.rows[at] = v;
      }
    }
  }

  /** The bytes before {@code end} as UTF-8, or null at the end of the stream before any byte. */
  private static String readUntil(InputStream in, char end, String path, String what)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0 && b != end) {
      out.write(b);
      if (out.size() > MOST_LINE_BYTES) {
        throw new PrepException(
            path + ": " + what + " is over 1 MB long: not word2vec's binary format");
      }
    }
    if (b < 0 && out.size() == 0) {
      return null;
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static boolean isNumber(String s) {
    try {
      Float.parseFloat(s);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean isCount(String s) {
    return !s.isEmpty() && s.length() < 12 && s.chars().allMatch(Character::isDigit);
  }

  private static String abbreviated(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  /**
   * Writes these vectors to {@code path} (a prepared data set's {@code text-vectors.bin}): a magic
   * line, the tokens and the dimension, then per token a flag and its values.
   */
  public void write(Configuration hadoop, String path) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(MAGIC);
      out.writeInt(rows.length);
      out.writeInt(dimension);
      for (float[] r : rows) {
        out.writeBoolean(r != null);
        if (r != null) {
          for (float x : r) {
            out.writeFloat(x);
          }
        }
      }
    }
    HadoopFiles.writeBytes(hadoop, path, bytes.toByteArray());
  }

  /** Reads vectors written by {@link #write}. */
  public static WordVectors load(Configuration hadoop, String path) throws IOException {
    Path p = new Path(path);
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(p.getFileSystem(hadoop).open(p), 1 << 16))) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException(path + ": not a prepared data set's word vectors");
      }
      int tokens = in.readInt();
      int dimension = in.readInt();
      float[][] rows = new float[tokens][];
      for (int t = 0; t < tokens; t++) {
        if (in.readBoolean()) {
          rows[t] = new float[dimension];
          for (int d = 0; d < dimension; d++) {
            rows[t][d] = in.readFloat();
          }
        }
      }
      return new WordVectors(dimension, rows);
    }
  }
}
