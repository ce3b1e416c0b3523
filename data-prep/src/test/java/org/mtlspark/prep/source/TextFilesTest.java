package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Text files through Hadoop's filesystem: compressed, in other encodings, with a byte-order mark. */
class TextFilesTest {
  private static final String TEXT = "id,name\n1,Zoë\n";

  static String read(Path file, Charset charset) throws IOException {
    try (BufferedReader r = TextFiles.open(new Configuration(), file.toUri().toString(), charset)) {
      StringBuilder sb = new StringBuilder();
      for (int c = r.read(); c >= 0; c = r.read()) {
        sb.append((char) c);
      }
      return sb.toString();
    }
  }

  @Test
  void gzipAndBzip2AreDecompressedByTheirNames(@TempDir Path dir) throws IOException {
    Path gz = dir.resolve("a.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(TEXT.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(TEXT, read(gz, StandardCharsets.UTF_8));
    Path bz2 = dir.resolve("a.csv.bz2");
    try (OutputStream out = new BZip2CompressorOutputStream(Files.newOutputStream(bz2))) {
      out.write(TEXT.getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(TEXT, read(bz2, StandardCharsets.UTF_8));
  }

  @Test
  void aByteOrderMarkIsDroppedAndOtherEncodingsAreDecoded(@TempDir Path dir) throws IOException {
    Path bom = dir.resolve("bom.csv");
    Files.write(bom, ("\uFEFF" + TEXT).getBytes(StandardCharsets.UTF_8));
    assertEquals(TEXT, read(bom, StandardCharsets.UTF_8));
    Path latin = dir.resolve("latin.csv");
    Files.write(latin, TEXT.getBytes(StandardCharsets.ISO_8859_1));
    assertEquals(TEXT, read(latin, StandardCharsets.ISO_8859_1));
    Path utf16 = dir.resolve("utf16.csv");
    Files.write(utf16, TEXT.getBytes(StandardCharsets.UTF_16));
    assertEquals(TEXT, read(utf16, StandardCharsets.UTF_16), "UTF-16 with its own byte-order mark");
  }
}
