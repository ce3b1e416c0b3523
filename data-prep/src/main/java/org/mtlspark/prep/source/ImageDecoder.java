package org.mtlspark.prep.source;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Turns image bytes into {@code width x height} grey pixels (one byte each, row-major), or with
 * three channels into the red, then the green, then the blue plane of them (channels first, as a
 * convolution reads them). Accepts an encoded image (PNG, JPEG, GIF, BMP: decoded, converted to
 * grey or RGB and resized) or raw pixels of exactly {@code channels * width * height} bytes in that
 * order. An encoded image's size is read from its header first, and
 * one declaring more than the allowed pixels is refused before any pixel memory is taken.
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /**
   * The grey pixels; throws {@link IllegalArgumentException} with the reason when the bytes are not
   * an image or declare more than {@code maxPixels} pixels.
   */
  public static byte[] grey(byte[] bytes, int width, int height, long maxPixels) {
    return pixels(bytes, width, height, 1, maxPixels);
  }

  /**
   * The pixels of {@code channels} (1: grey; 3: red, green and blue planes); throws {@link
   * IllegalArgumentException} with the reason when the bytes are not an image or declare more than
   * {@code maxPixels} pixels.
   */
  public static byte[] pixels(byte[] bytes, int width, int height, int channels, long maxPixels) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("empty image");
    }
    BufferedImage decoded = decode(bytes, maxPixels);
    if (decoded == null) {
      if (bytes.length == channels * width * height) {
        return bytes;
      }
      if (channels == 3 && bytes.length == width * height) {
        // Raw grey pixels: the same plane three times, as a decoded grey image gives.
        byte[] planes = new byte[3 * bytes.length];
        for (int c = 0; c < 3; c++) {
          System.arraycopy(bytes, 0, planes, c * bytes.length, bytes.length);
        }
        return planes;
      }
      throw new IllegalArgumentException(
          "not an image (an encoded PNG, JPEG, GIF or BMP, or "
              + width
              + "x"
              + height
              + (channels == 1
                  ? " raw grey pixels: "
                  : " raw pixels of " + channels + " channels: ")
              + (channels * width * height)
              + " bytes); found "
              + bytes.length
              + " bytes");
    }
    BufferedImage grey =
        new BufferedImage(
            width,
            height,
            channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
    Graphics2D g = grey.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(decoded, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    if (channels == 1) {
      byte[] out = new byte[width * height];
      grey.getRaster().getDataElements(0, 0, width, height, out);
      return out;
    }
    int[] rgb = grey.getRGB(0, 0, width, height, null, 0, width);
    int plane = width * height;
    byte[] out = new byte[3 * plane];
    for (int i = 0; i < plane; i++) {
      out[i] = (byte) (rgb[i] >> 16);
      out[plane + i] = (byte) (rgb[i] >> 8);
      out[2 * plane + i] = (byte) rgb[i];
    }
    return out;
  }

  /**
   * The decoded image, or null when no image reader knows the bytes. The declared width and height
   * are read from the header first; more than {@code maxPixels} pixels, or bytes that do not
   * decode, throw {@link IllegalArgumentException} with the reason.
   */
  private static BufferedImage decode(byte[] bytes, long maxPixels) {
    ImageReader reader = null;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        return null;
      }
      reader = readers.next();
      reader.setInput(in, true, true);
      long w = reader.getWidth(0);
      long h = reader.getHeight(0);
      if (w * h > maxPixels) {
        throw new TooLarge(
            "an image of "
                + w
                + " x "
                + h
                + " = "
                + (w * h)
                + " pixels, more than prep.image.maxPixels allows ("
                + maxPixels
                + ")");
      }
      return reader.read(0);
    } catch (TooLarge e) {
      throw new IllegalArgumentException(e.getMessage());
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a decodable image: " + e.getMessage());
    } finally {
      if (reader != null) {
        reader.dispose();
      }
    }
  }

  /** An image declaring more pixels than allowed, told apart from the reader's own failures. */
  private static final class TooLarge extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * All bytes of {@code in}, reading at most {@code maxBytes + 1} of them: throws
   * {@link IllegalArgumentException} with the reason when there are more than {@code maxBytes}.
   */
  public static byte[] readAtMost(InputStream in, long maxBytes) throws IOException {
    byte[] bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
    checkSize(bytes, maxBytes);
    return bytes;
  }

  /** Throws {@link IllegalArgumentException} with the reason when {@code bytes} holds more than {@code maxBytes}. */
  public static void checkSize(byte[] bytes, long maxBytes) {
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(
          "an encoded image of more than prep.image.maxBytes (" + maxBytes + ") bytes");
    }
  }
}
