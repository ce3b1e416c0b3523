package org.mtlspark.prep.source;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Turns image bytes into {@code width x height} grey pixels (one byte each, row-major). Accepts an
 * encoded image (PNG, JPEG, GIF, BMP: decoded, converted to grey and resized) or raw grey pixels of
 * exactly {@code width * height} bytes.
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /** The grey pixels; throws {@link IllegalArgumentException} with the reason when the bytes are not an image. */
  public static byte[] grey(byte[] bytes, int width, int height) {
    if (bytes.length == 0) {
      throw new IllegalArgumentException("empty image");
    }
    BufferedImage decoded;
    try {
      decoded = ImageIO.read(new ByteArrayInputStream(bytes));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a decodable image: " + e.getMessage());
    }
    if (decoded == null) {
      if (bytes.length == width * height) {
        return bytes;
      }
      throw new IllegalArgumentException("not an image (an encoded PNG, JPEG, GIF or BMP, or " + width + "x" + height
          + " raw grey pixels: " + (width * height) + " bytes); found " + bytes.length + " bytes");
    }
    BufferedImage grey = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = grey.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(decoded, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    byte[] out = new byte[width * height];
    grey.getRaster().getDataElements(0, 0, width, height, out);
    return out;
  }
}
