package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Colour images become channel planes: red, then green, then blue, each row-major. */
class ImageColoursTest {
  /** A 4x2 PNG: the top row red, green, blue, white; the bottom row black, grey, yellow, cyan. */
  static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    int[] top = {0xff0000, 0x00ff00, 0x0000ff, 0xffffff};
    int[] bottom = {0x000000, 0x808080, 0xffff00, 0x00ffff};
    for (int x = 0; x < 4; x++) {
      image.setRGB(x, 0, top[x]);
      image.setRGB(x, 1, bottom[x]);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static int[] unsigned(byte[] b) {
    int[] out = new int[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = b[i] & 0xff;
    }
    return out;
  }

  @Test
  void threeChannelsAreTheRedGreenAndBluePlanesAtTheSameSize() throws IOException {
    int[] px = unsigned(ImageDecoder.pixels(png(), 4, 2, 3, 1000));
    assertEquals(24, px.length);
    assertArrayEquals(new int[] {255, 0, 0, 255, 0, 128, 255, 0}, slice(px, 0), "red plane");
    assertArrayEquals(new int[] {0, 255, 0, 255, 0, 128, 255, 255}, slice(px, 8), "green plane");
    assertArrayEquals(new int[] {0, 0, 255, 255, 0, 128, 0, 255}, slice(px, 16), "blue plane");
  }

  static int[] slice(int[] px, int from) {
    return java.util.Arrays.copyOfRange(px, from, from + 8);
  }

  @Test
  void oneChannelIsGreyAndAGreyImageGivesThreeEqualPlanes() throws IOException {
    int[] grey = unsigned(ImageDecoder.pixels(png(), 4, 2, 1, 1000));
    assertEquals(8, grey.length);
    assertEquals(255, grey[3], "white");
    assertEquals(0, grey[4], "black");
    assertTrue(grey[1] > grey[2] && grey[0] > grey[2], "green and red are brighter than blue");
    BufferedImage g = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
    g.getRaster().setDataElements(0, 0, 2, 2, new byte[] {10, 20, 30, (byte) 200});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(g, "png", out);
    int[] planes = unsigned(ImageDecoder.pixels(out.toByteArray(), 2, 2, 3, 1000));
    assertArrayEquals(slice4(planes, 0), slice4(planes, 4));
    assertArrayEquals(slice4(planes, 0), slice4(planes, 8));
  }

  static int[] slice4(int[] px, int from) {
    return java.util.Arrays.copyOfRange(px, from, from + 4);
  }

  @Test
  void rawPixelsAreThreePlanesOrOneGreyPlaneGivenThreeTimes() {
    byte[] raw = new byte[3 * 4 * 2];
    raw[5] = 7;
    assertArrayEquals(raw, ImageDecoder.pixels(raw, 4, 2, 3, 1000), "raw planes pass as given");
    byte[] grey = {1, 2, 3, 4, 5, 6, 7, 8};
    byte[] planes = ImageDecoder.pixels(grey, 4, 2, 3, 1000);
    assertEquals(24, planes.length);
    for (int c = 0; c < 3; c++) {
      assertArrayEquals(grey, java.util.Arrays.copyOfRange(planes, 8 * c, 8 * c + 8), "plane " + c);
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ImageDecoder.pixels(new byte[10], 4, 2, 3, 1000));
    assertTrue(
        e.getMessage().contains("4x2 raw pixels of 3 channels: 24 bytes); found 10 bytes"),
        e.getMessage());
  }
}
