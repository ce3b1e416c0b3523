package org.mtlspark.prep.source;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/** Hostile inputs made on the spot, and a way to feed them to a JVM with a small heap. */
final class HostileFiles {
  private HostileFiles() {}

  /**
   * A grey PNG whose header declares {@code width x height} pixels, with an IDAT holding one row
   * of zeros only: a couple of hundred bytes that ask a decoder for {@code width * height} bytes.
   */
  static byte[] pngBomb(int width, int height) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream header = new DataOutputStream(ihdr);
    header.writeInt(width);
    header.writeInt(height);
    header.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grey, deflate, no filter, not interlaced
    chunk(png, "IHDR", ihdr.toByteArray());
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION);
    deflater.setInput(new byte[width + 1]); // one scanline: filter byte 0, then zeros
    deflater.finish();
    byte[] compressed = new byte[1024];
    int n = deflater.deflate(compressed);
    deflater.end();
    chunk(png, "IDAT", java.util.Arrays.copyOf(compressed, n));
    chunk(png, "IEND", new byte[0]);
    return png.toByteArray();
  }

  private static void chunk(OutputStream out, String type, byte[] data) throws IOException {
    DataOutputStream d = new DataOutputStream(out);
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    d.writeInt(data.length);
    d.write(name);
    d.write(data);
    d.writeInt((int) crc.getValue());
  }

  /** Writes {@code prefix}, then {@code bytes} bytes of 'x' with no line break, to {@code file}. */
  static Path withoutLineBreaks(Path file, String prefix, long bytes) throws IOException {
    byte[] block = new byte[1 << 16];
    java.util.Arrays.fill(block, (byte) 'x');
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
      out.write(prefix.getBytes(StandardCharsets.UTF_8));
      for (long left = bytes; left > 0; left -= block.length) {
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
    return file;
  }

  /** What a JVM printed (stdout and stderr) and its exit status. */
  record Run(int status, String output) {}

  /** Runs {@link HostileInputProbe} with {@code args} in a fresh JVM of at most {@code heap} heap (e.g. "64m"). */
  static Run probe(String heap, String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                HostileInputProbe.class.getName()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = p.getInputStream().readAllBytes();
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("the probe JVM did not end: " + command);
    }
    return new Run(p.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
