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
 * Turns image bytes into {@code width x height} grey pixels (one byte each, row-major). Accepts an
 * encoded image (PNG, JPEG, GIF, BMP: decoded, converted to grey and resized) or raw grey pixels of
 * exactly {@code width * height} bytes. An encoded image's size is read from its header first, and
 * one declaring more than the allowed pixels is refused before any pixel memory is taken.
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /**
   * The grey pixels; throws {@link IllegalArgumentException} with the reason when the bytes are not
   * an image or declare more than {@code maxPixels} pixels.
   */
  public static byte[] grey(byte[] bytes, int width, int height, long maxPixels) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("empty image");
    }
    BufferedImage decoded = decode(bytes, maxPixels);
    if (decoded == null) {
      if (bytes.length == width * height) {
        return bytes;
      }
      throw new IllegalArgumentException(
          "not an image (an encoded PNG, JPEG, GIF or BMP, or "
              + width
              + "x"
              + height
              + " raw grey pixels: "
              + (width * height)
              + " bytes); found "
              + bytes.length
              + " bytes");
    }
    BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = grey.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(decoded, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    byte[] out = new byte[width * height];
    grey.getRaster().getDataElements(0, 0, width, height, out);
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
