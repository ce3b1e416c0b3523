package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.io.SerializableConf;

/**
 * An image column may name files under the data root, and under prep.image.allowedRoots, only:
 * absolute paths elsewhere, {@code ..} escapes and look-alike sibling folders reject their row.
 */
class ImageRootsTest {
  @TempDir Path dir;
  Path root;
  Path shared;

  @BeforeEach
  void files() throws Exception {
    root = Files.createDirectories(dir.resolve("data"));
    shared = Files.createDirectories(dir.resolve("shared"));
    Files.createDirectories(dir.resolve("data2"));
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    Files.createDirectories(root.resolve("img"));
    for (Path p :
        List.of(
            root.resolve("img/a.png"),
            dir.resolve("secret.png"),
            shared.resolve("b.png"),
            dir.resolve("data2/c.png"))) {
      ImageIO.write(img, "png", p.toFile());
    }
  }

  private SourceFormatsTest.CsvParser scans(String overlay) {
    MtlConfig config =
        ConfigLoader.fromYaml(
            """
        data:
          sources:
            - {name: scans, format: csv, path: s.csv, image: file}
        tasks:
          - {name: y, type: binary, source: scans, column: y}
        """
                + overlay,
            "roots.yaml");
    RowInterpreter in =
        new RowInterpreter(
            config.data().source("scans"),
            config.data().key(),
            config.tasks(),
            "NA",
            config.prep().image(),
            new SerializableConf(new Configuration()),
            root.toUri().toString());
    return SourceFormatsTest.csv(in, "s.csv", "id,file,y");
  }

  @Test
  void pathsUnderTheDataRootAreRead() throws Exception {
    SourceFormatsTest.CsvParser p = scans("");
    assertTrue(p.parse(2, "k1,img/a.png,1").isOk());
    assertTrue(p.parse(3, "k2,img/../img/./a.png,1").isOk(), "'..' that stays inside is fine");
    assertTrue(
        p.parse(4, "k3," + root.resolve("img/a.png") + ",1").isOk(), "an absolute path inside");
    assertTrue(
        p.parse(5, "k4," + root.resolve("img/a.png").toUri() + ",1").isOk(), "a file: URI inside");
  }

  @Test
  void pathsOutsideTheDataRootAreRejectedWithTheReason() throws Exception {
    SourceFormatsTest.CsvParser p = scans("");
    Reject passwd = p.parse(2, "k1,/etc/passwd,1").reject();
    assertEquals("file", passwd.field());
    assertEquals(2, passwd.line());
    assertEquals(
        "image path \"/etc/passwd\" is \"file:/etc/passwd\", outside the data root (list further folders "
            + "in prep.image.allowedRoots)",
        passwd.reason());
    Reject up = p.parse(3, "k2,../secret.png,1").reject();
    assertTrue(
        up.reason()
            .startsWith(
                "image path \"../secret.png\" is \""
                    + dir.resolve("secret.png").toUri().toString().replace("file:///", "file:/")
                    + "\", outside"),
        up.reason());
    assertTrue(
        p.parse(4, "k3,img/../../secret.png,1")
            .reject()
            .reason()
            .contains("outside the data root"));
    assertTrue(
        p.parse(5, "k4,../../../../../../../../etc/passwd,1")
            .reject()
            .reason()
            .contains("outside"));
    assertTrue(
        p.parse(6, "k5,../data2/c.png,1").reject().reason().contains("outside"),
        "a sibling whose name starts like the root's");
    assertTrue(
        p.parse(7, "k6,hdfs://elsewhere:8020/data/img/a.png,1")
            .reject()
            .reason()
            .contains("outside"),
        "another filesystem");
    assertTrue(
        p.parse(8, "k7,a:b:c,1")
            .reject()
            .reason()
            .startsWith("image path \"a:b:c\" is not a path or URI"),
        p.parse(8, "k7,a:b:c,1").reject().reason());
  }

  @Test
  void anAllowedRootOpensOneMoreFolder() throws Exception {
    SourceFormatsTest.CsvParser p =
        scans("prep: {image: {allowedRoots: [" + shared.toUri() + "]}}");
    assertTrue(
        p.parse(2, "k1," + shared.resolve("b.png") + ",1").isOk(),
        p.parse(2, "k1," + shared.resolve("b.png") + ",1").toString());
    assertTrue(
        p.parse(3, "k2,../shared/b.png,1").isOk(), "relative, normalized into the allowed root");
    assertTrue(p.parse(4, "k3,img/a.png,1").isOk(), "the data root stays allowed");
    Reject still = p.parse(5, "k4,../secret.png,1").reject();
    assertTrue(
        still
            .reason()
            .endsWith(
                "outside the data root and prep.image.allowedRoots (list further folders in "
                    + "prep.image.allowedRoots)"),
        still.reason());
    assertTrue(
        scans("prep: {image: {allowedRoots: [" + shared + "]}}")
            .parse(6, "k5," + shared.resolve("b.png") + ",1")
            .isOk(),
        "a plain absolute path as the root");
  }

  @Test
  void containmentComparesSchemeAuthorityAndWholeSegments() {
    URI root = URI.create("hdfs://nn:8020/data");
    assertTrue(ImageRoots.isUnder(URI.create("hdfs://nn:8020/data/a.png"), root));
    assertTrue(ImageRoots.isUnder(URI.create("HDFS://NN:8020/data/a.png"), root));
    assertFalse(ImageRoots.isUnder(URI.create("hdfs://other:8020/data/a.png"), root));
    assertFalse(ImageRoots.isUnder(URI.create("file:/data/a.png"), root));
    assertFalse(ImageRoots.isUnder(URI.create("hdfs://nn:8020/data2/a.png"), root));
    assertFalse(ImageRoots.isUnder(URI.create("hdfs://nn:8020/data/../etc").normalize(), root));
    assertFalse(ImageRoots.isUnder(URI.create("file:/../data/a.png"), URI.create("file:/")));
    assertTrue(ImageRoots.isUnder(URI.create("file:/etc/passwd"), URI.create("file:/")));
  }

  @Test
  void allowedRootsAreCheckedBeforeSparkStarts() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.fromYaml(
                    """
        prep: {image: {allowedRoots: ["", relative/folder, "/../b", "s3a://bucket/ok", /ok/too]}}
        """,
                    "bad.yaml"));
    String m = e.getMessage();
    assertTrue(
        m.contains(
            "prep.image.allowedRoots[0]: must be an absolute folder path or a URI, was empty"),
        m);
    assertTrue(
        m.contains("prep.image.allowedRoots[1]: must be an absolute folder path or a URI"), m);
    assertTrue(m.contains("prep.image.allowedRoots[2]: must not go up a folder"), m);
    assertFalse(m.contains("allowedRoots[3]") || m.contains("allowedRoots[4]"), m);
  }
}
