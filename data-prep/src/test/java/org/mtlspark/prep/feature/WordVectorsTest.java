package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.PrepConfig.VectorsFormat;
import org.mtlspark.prep.source.PrepException;

class WordVectorsTest {
  private static final Configuration HADOOP = new Configuration();
  private static final List<String> VOCABULARY = List.of("good", "bad", "paris", "movie");

  @TempDir Path dir;

  private String write(String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, text, StandardCharsets.UTF_8);
    return file.toUri().toString();
  }

  private static WordVectors read(String path, VectorsFormat format, boolean lowercase)
      throws IOException {
    return WordVectors.read(HADOOP, path, format, VOCABULARY, lowercase);
  }

  @Test
  void aWord2vecOrFastTextTextFileWithItsHeaderGivesTheVocabularysVectors() throws IOException {
    String path =
        write(
            "vectors.vec",
            """
            5 3
            the 0.1 0.2 0.3
            good 1 2 3
            movie -1.5 0 2.5e-1
            film 9 9 9
            bad 4 5 6
            """);
    WordVectors v = read(path, VectorsFormat.AUTO, true);
    assertEquals(3, v.dimension());
    assertEquals(4, v.tokens());
    assertEquals(3, v.covered(), "good, bad and movie; paris has none");
    assertArrayEquals(new float[] {1, 2, 3}, v.row(0));
    assertArrayEquals(new float[] {4, 5, 6}, v.row(1));
    assertNull(v.row(2));
    assertArrayEquals(new float[] {-1.5f, 0, 0.25f}, v.row(3));
  }

  @Test
  void aGloveFileHasNoHeaderAndTheFirstLineGivesTheWidth() throws IOException {
    String path = write("glove.6B.2d.txt", "the 0.5 0.5\nparis 7 8\ngood 1 -1\n");
    WordVectors v = read(path, VectorsFormat.TEXT, true);
    assertEquals(2, v.dimension());
    assertEquals(2, v.covered());
    assertArrayEquals(new float[] {7, 8}, v.row(2));
  }

  @Test
  void aLowerCasedVocabularyTakesAWordOfAnotherCaseOnlyWithoutAnExactMatch() throws IOException {
    // Frequency order: "Paris" before "paris", "Good" before "good".
    String path = write("cased.vec", "4 1\nParis 1\nGood 2\ngood 3\nPARIS 4\n");
    WordVectors folded = read(path, VectorsFormat.TEXT, true);
    assertArrayEquals(new float[] {3}, folded.row(0), "the exact match wins over Good");
    assertArrayEquals(new float[] {1}, folded.row(2), "the first case-folded match: Paris");
    // A vocabulary that keeps case takes exact matches only.
    WordVectors cased =
        WordVectors.read(HADOOP, path, VectorsFormat.TEXT, List.of("Paris", "paris"), false);
    assertArrayEquals(new float[] {1}, cased.row(0));
    assertNull(cased.row(1));
  }

  /** word2vec's binary format: the header line, then each word, a space and its floats. */
  private static byte[] binary(String[] words, float[][] vectors, boolean newlines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        (words.length + " " + vectors[0].length + "\n").getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < words.length; i++) {
      out.writeBytes((words[i] + " ").getBytes(StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.allocate(4 * vectors[i].length).order(ByteOrder.LITTLE_ENDIAN);
      for (float x : vectors[i]) {
        b.putFloat(x);
      }
      out.writeBytes(b.array());
      if (newlines) {
        out.write('\n');
      }
    }
    return out.toByteArray();
  }

  @Test
  void word2vecsBinaryFormatIsReadByItsNameAndGzipped() throws IOException {
    byte[] bytes =
        binary(
            new String[] {"movie", "bad", "café"},
            new float[][] {{0.5f, -2f}, {3f, 1e-3f}, {1f, 1f}},
            true);
    Path plain = dir.resolve("model.bin");
    Files.write(plain, bytes);
    Path zipped = dir.resolve("model.bin.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(zipped))) {
      out.write(bytes);
    }
    for (Path file : List.of(plain, zipped)) {
      WordVectors v = read(file.toUri().toString(), VectorsFormat.AUTO, true);
      assertEquals(2, v.dimension(), file.toString());
      assertEquals(2, v.covered(), file.toString());
      assertArrayEquals(new float[] {0.5f, -2f}, v.row(3), file.toString());
      assertArrayEquals(new float[] {3f, 1e-3f}, v.row(1), file.toString());
    }
    // Without the newline after each vector (gensim writes none) it reads the same.
    Path bare = dir.resolve("bare.w2v");
    Files.write(
        bare, binary(new String[] {"good", "bad"}, new float[][] {{1f, 2f}, {3f, 4f}}, false));
    WordVectors v = read(bare.toUri().toString(), VectorsFormat.BINARY, true);
    assertArrayEquals(new float[] {3f, 4f}, v.row(1));
  }

  @Test
  void aFileThatDoesNotMatchItsFormatIsRefusedNamingTheFileLineAndProblem() throws IOException {
    String shortLine = write("short.vec", "3 3\ngood 1 2 3\nbad 4 5\n");
    RuntimeException e =
        assertThrows(PrepException.class, () -> read(shortLine, VectorsFormat.TEXT, true));
    assertTrue(
        e.getMessage().contains("short.vec line 3: 2 numbers after the word \"bad\"")
            && e.getMessage().contains("have 3"),
        e.getMessage());

    String word = write("word.txt", "good 1 2\nbad 4 x\n");
    e = assertThrows(PrepException.class, () -> read(word, VectorsFormat.TEXT, true));
    assertTrue(
        e.getMessage().contains("word.txt line 2: \"x\" (number 2 of the word \"bad\") is not a"),
        e.getMessage());

    byte[] bin = binary(new String[] {"good"}, new float[][] {{1f, 2f, 3f}}, true);
    Path asText = dir.resolve("vectors.txt");
    Files.write(asText, bin);
    e =
        assertThrows(
            PrepException.class, () -> read(asText.toUri().toString(), VectorsFormat.TEXT, true));
    assertTrue(e.getMessage().contains("vectors.txt line 2"), e.getMessage());

    String text = write("text.bin", "good 1 2\n");
    e = assertThrows(PrepException.class, () -> read(text, VectorsFormat.AUTO, true));
    assertTrue(
        e.getMessage().contains("text.bin: not word2vec's binary format")
            && e.getMessage().contains("prep.text.vectorsFormat: text"),
        e.getMessage());

    byte[] whole = binary(new String[] {"good", "bad"}, new float[][] {{1f, 2f}, {3f, 4f}}, true);
    Path cut = dir.resolve("cut.bin");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 6));
    e =
        assertThrows(
            PrepException.class, () -> read(cut.toUri().toString(), VectorsFormat.AUTO, true));
    assertTrue(
        e.getMessage().contains("cut.bin: ends inside the vector of word 2 (\"bad\")"),
        e.getMessage());

    // A line longer than 1 MB is refused after its first megabyte is held, never whole.
    String huge = write("huge.txt", "good" + " 1".repeat(3 << 20) + "\n");
    e = assertThrows(PrepException.class, () -> read(huge, VectorsFormat.TEXT, true));
    assertTrue(
        e.getMessage().contains("huge.txt line 1: not a text line (binary bytes or over 1 MB)"),
        e.getMessage());

    String none = write("other.vec", "2 2\nhund 1 2\nkatze 3 4\n");
    e = assertThrows(PrepException.class, () -> read(none, VectorsFormat.TEXT, true));
    assertTrue(
        e.getMessage().contains("none of the 4 vocabulary tokens has a vector in")
            && e.getMessage().contains("other.vec"),
        e.getMessage());

    e =
        assertThrows(
            PrepException.class,
            () -> read(dir.resolve("absent.vec").toUri().toString(), VectorsFormat.TEXT, true));
    assertTrue(e.getMessage().contains("no word vectors file"), e.getMessage());
  }

  @Test
  void aWordWithSpacesTakesTheLastNumbersAsItsVectorButExtraNumbersAreRefused() throws IOException {
    // GloVe's 840B file has a few such words (". . ."); "good 1 2 3" has a number too many.
    String path = write("spaces.txt", "the 1 2\n. . . 3 4\nmovie 5 6\n");
    WordVectors v = read(path, VectorsFormat.TEXT, true);
    assertArrayEquals(new float[] {5, 6}, v.row(3));
    String extra = write("extra.txt", "the 1 2\ngood 1 2 3\n");
    RuntimeException e =
        assertThrows(PrepException.class, () -> read(extra, VectorsFormat.TEXT, true));
    assertTrue(
        e.getMessage().contains("extra.txt line 2: 3 numbers after the word \"good\""),
        e.getMessage());
  }

  @Test
  void thePreparedVectorsReadBackAsWritten() throws IOException {
    String path = write("v.vec", "2 2\ngood 1 2\nmovie 3 4\n");
    WordVectors v = read(path, VectorsFormat.TEXT, true);
    String kept = dir.resolve("text-vectors.bin").toUri().toString();
    v.write(HADOOP, kept);
    WordVectors back = WordVectors.load(HADOOP, kept);
    assertEquals(2, back.dimension());
    assertEquals(4, back.tokens());
    assertEquals(2, back.covered());
    assertArrayEquals(new float[] {3, 4}, back.row(3));
    assertNull(back.row(1));
  }
}
