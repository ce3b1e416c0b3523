package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.io.SerializableConf;

/**
 * An image is measured before it is decoded: a few hundred bytes declaring 30000 x 30000 pixels
 * are rejected with their size, without the 900 MB a decoder would ask for; a file larger than
 * prep.image.maxBytes is read no further than that.
 */
class ImageLimitsTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        sources:
          - {name: scans, format: csv, path: s.csv, image: file}
      tasks:
        - {name: y, type: binary, source: scans, column: y}
      prep: {image: {maxBytes: 4096}}
      """,
          "limits.yaml");

  @TempDir Path dir;

  private SourceFormatsTest.CsvParser scans() {
    RowInterpreter in =
        new RowInterpreter(
            CONFIG.data().source("scans"),
            CONFIG.data().key(),
            CONFIG.tasks(),
            "NA",
            CONFIG.prep().image(),
            new SerializableConf(new Configuration()),
            dir.toUri().toString());
    return SourceFormatsTest.csv(in, "s.csv", "id,file,y");
  }

  @Test
  void theBombIsSmallAndValid() throws Exception {
    byte[] bomb = HostileFiles.pngBomb(30000, 30000);
    assertTrue(bomb.length < 300, "a PNG of " + bomb.length + " bytes");
    var reader = ImageIO.getImageReadersByFormatName("png").next();
    reader.setInput(ImageIO.createImageInputStream(new java.io.ByteArrayInputStream(bomb)));
    assertEquals(30000, reader.getWidth(0), "its header reads");
    reader.dispose();
  }

  @Test
  void anImageDeclaringTooManyPixelsIsRejectedBeforeDecoding() throws Exception {
    byte[] bomb = HostileFiles.pngBomb(30000, 30000);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageDecoder.grey(bomb, 16, 16, CONFIG.prep().image().maxPixels()));
    assertEquals(
        "an image of 30000 x 30000 = 900000000 pixels, more than prep.image.maxPixels allows (40000000)",
        e.getMessage());

    Files.write(dir.resolve("bomb.png"), bomb);
    Reject reject = scans().parse(2, "k1,bomb.png,1").reject();
    assertEquals("file", reject.field());
    assertEquals("s.csv", reject.file());
    assertEquals(2, reject.line());
    assertEquals(
        "image file \"bomb.png\": an image of 30000 x 30000 = 900000000 pixels, more than "
            + "prep.image.maxPixels allows (40000000)",
        reject.reason());
    assertEquals(
        "scans.file: image file \"…\": an image of N x N = N pixels, more than prep.image.maxPixels "
            + "allows (40000000)",
        reject.category(),
        "one category for every oversized image");
  }

  @Test
  void aBombDecodedInASmallHeapIsARejectNotAnOutOfMemoryError() throws Exception {
    Path bomb = Files.write(dir.resolve("bomb.png"), HostileFiles.pngBomb(30000, 30000));
    HostileFiles.Run run = HostileFiles.probe("64m", "image", bomb.toString());
    assertFalse(run.output().contains("OutOfMemoryError"), run.output());
    assertEquals(0, run.status(), run.output());
    assertTrue(
        run.output()
            .contains(
                "REJECT file: image file \"bomb.png\": an image of 30000 x 30000 = 900000000 "
                    + "pixels, more than prep.image.maxPixels allows (40000000)"),
        run.output());
  }

  @Test
  void aNormalImageStillDecodes() throws Exception {
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(img, "png", dir.resolve("ok.png").toFile());
    ImageIO.write(img, "jpg", dir.resolve("ok.jpg").toFile());
    assertEquals(16 * 16, scans().parse(2, "k1,ok.png,1").value().image().length);
    assertEquals(16 * 16, scans().parse(3, "k2,ok.jpg,1").value().image().length);
    Path small = Files.write(dir.resolve("small.png"), Files.readAllBytes(dir.resolve("ok.png")));
    HostileFiles.Run run = HostileFiles.probe("64m", "image", small.toString());
    assertTrue(run.output().contains("OK k1"), run.output());
  }

  @Test
  void anImageFileOverMaxBytesIsNotReadWhole() throws Exception {
    HostileFiles.withoutLineBreaks(dir.resolve("huge.png"), "", 1 << 20);
    Reject reject = scans().parse(2, "k1,huge.png,1").reject();
    assertEquals("file", reject.field());
    assertTrue(
        reject
            .reason()
            .endsWith("huge.png\": an encoded image of more than prep.image.maxBytes (4096) bytes"),
        reject.reason());
  }

  @Test
  void theLimitsAreCheckedBeforeSparkStarts() {
    var e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.fromYaml(
                    """
        prep: {image: {width: 32, height: 32, maxPixels: 100, maxBytes: 0}}
        """,
                    "bad.yaml"));
    assertTrue(
        e.getMessage()
            .contains("prep.image.maxPixels: must be in [width * height, 2147483647], was 100"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("prep.image.maxBytes: must be in [1, 1073741824], was 0"),
        e.getMessage());
  }
}
