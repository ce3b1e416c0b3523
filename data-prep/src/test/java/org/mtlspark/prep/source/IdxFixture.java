package org.mtlspark.prep.source;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Small MNIST-format IDX files for tests: {@code train} and {@code t10k} pairs of 28x28 images whose
 * class {@code c} (the index mod 10) is drawn as a bright bar in row band {@code c}, with a faint
 * index-dependent pixel so that no two images are equal.
 */
public final class IdxFixture {
  public static final int SIDE = 28;

  private IdxFixture() {}

  /** Writes the four gzipped files into {@code dir}. */
  public static void write(Path dir, int train, int test) throws IOException {
    Files.createDirectories(dir);
    for (String part : new String[] {"train", "t10k"}) {
      int n = part.equals("train") ? train : test;
      try (DataOutputStream images = gz(dir.resolve(part + "-images-idx3-ubyte.gz"));
          DataOutputStream labels = gz(dir.resolve(part + "-labels-idx1-ubyte.gz"))) {
        images.writeInt(0x803);
        images.writeInt(n);
        images.writeInt(SIDE);
        images.writeInt(SIDE);
        labels.writeInt(0x801);
        labels.writeInt(n);
        for (int i = 0; i < n; i++) {
          images.write(image(i));
          labels.writeByte(label(i));
        }
      }
    }
  }

  public static int label(int i) {
    return i % 10;
  }

  /** Image {@code i}: its class's bar, plus one faint pixel at a place given by {@code i}. */
  public static byte[] image(int i) {
    byte[] px = new byte[SIDE * SIDE];
    int band = 2 + 2 * label(i);
    for (int c = 4; c < 24; c++) {
      px[band * SIDE + c] = (byte) 250;
      px[(band + 1) * SIDE + c] = (byte) 200;
    }
    px[(i / SIDE) % SIDE * SIDE + i % SIDE] = 7;
    return px;
  }

  private static DataOutputStream gz(Path p) throws IOException {
    OutputStream out = Files.newOutputStream(p);
    return new DataOutputStream(new GZIPOutputStream(out));
  }
}
