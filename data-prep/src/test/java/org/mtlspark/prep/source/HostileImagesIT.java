package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.testing.SharedSpark;

/**
 * Hostile images read on Spark as prep reads them: in an image folder, a decompression bomb and
 * a file over prep.image.maxBytes are rejects beside a good image; in a CSV image column, paths
 * leaving the data root are rejects unless they lead into an allowed root.
 */
class HostileImagesIT {
  @TempDir static Path dir;

  static final String EXPERIMENT =
      """
      data:
        sources:
          - %s
          - {name: labels, format: csv, path: labels.csv}
      prep: {image: {width: 4, height: 4, maxBytes: 65536, allowedRoots: [%s]}}
      tasks:
        - {name: y, type: binary, source: labels, column: y}
      """;

  /** The rejects of a source by key, as "field: reason", and the keys read well, as "ok". */
  private static Map<String, String> read(MtlConfig config, String source, Path root)
      throws Exception {
    SparkSession spark = SharedSpark.get();
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    SourceConfig src = config.data().source(source);
    List<String> files =
        SourceReader.files(conf.get(), root.toString(), src).stream()
            .map(f -> f.getPath().toString())
            .toList();
    RowInterpreter interpreter =
        new RowInterpreter(
            src,
            config.data().key(),
            config.tasksOf(source),
            "NA",
            config.prep().image(),
            conf,
            root.toString());
    Map<String, String> out = new TreeMap<>();
    for (ParsedRow<SourceValues> row :
        SourceReader.read(spark, conf, src, config.data().key(), files, interpreter).collect()) {
      out.put(
          row.isOk() ? row.key() : row.reject().key(),
          row.isOk() ? "ok" : row.reject().field() + ": " + row.reject().reason());
    }
    return out;
  }

  @Test
  void bombsOversizedFilesAndEscapingPathsAreRejectsBesideGoodImages() throws Exception {
    Path root = Files.createDirectories(dir.resolve("data"));
    Path photos = Files.createDirectories(root.resolve("photos"));
    Path shared = Files.createDirectories(dir.resolve("shared"));
    ImageIO.write(
        new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB),
        "png",
        photos.resolve("good.png").toFile());
    Files.copy(photos.resolve("good.png"), shared.resolve("elsewhere.png"));
    Files.copy(photos.resolve("good.png"), dir.resolve("secret.png"));
    Files.write(photos.resolve("bomb.png"), HostileFiles.pngBomb(30000, 30000));
    HostileFiles.withoutLineBreaks(photos.resolve("huge.png"), "", 1 << 20);
    Files.writeString(
        root.resolve("scans.csv"),
        String.join(
            "\n",
            "id,file",
            "s1,photos/good.png",
            "s2,../secret.png",
            "s3,/etc/passwd",
            "s4," + shared.resolve("elsewhere.png"),
            "s5,photos/bomb.png",
            ""),
        StandardCharsets.UTF_8);
    MtlConfig folder =
        ConfigLoader.fromYaml(
            EXPERIMENT.formatted("{name: photos, format: images, path: photos}", shared.toUri()),
            "photos.yaml");
    MtlConfig column =
        ConfigLoader.fromYaml(
            EXPERIMENT.formatted(
                "{name: scans, format: csv, path: scans.csv, image: file}", shared.toUri()),
            "scans.yaml");

    Map<String, String> photoRows = read(folder, "photos", root);
    assertEquals("ok", photoRows.get("good"));
    assertEquals(
        "(file): an image of 30000 x 30000 = 900000000 pixels, more than prep.image.maxPixels allows "
            + "(40000000)",
        photoRows.get("bomb"));
    assertEquals(
        "(file): an encoded image of more than prep.image.maxBytes (65536) bytes",
        photoRows.get("huge"));

    Map<String, String> scanRows = read(column, "scans", root);
    assertEquals("ok", scanRows.get("s1"));
    assertTrue(
        scanRows.get("s2").startsWith("file: image path \"../secret.png\" is \"file:"),
        scanRows.get("s2"));
    assertTrue(
        scanRows
            .get("s2")
            .endsWith(
                "outside the data root and prep.image.allowedRoots (list further folders "
                    + "in prep.image.allowedRoots)"),
        scanRows.get("s2"));
    assertTrue(
        scanRows.get("s3").startsWith("file: image path \"/etc/passwd\""), scanRows.get("s3"));
    assertEquals("ok", scanRows.get("s4"), "an allowed root");
    assertTrue(scanRows.get("s5").contains("30000 x 30000"), scanRows.get("s5"));
  }
}
