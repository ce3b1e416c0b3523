package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.ImageDecoder;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;

/**
 * Colour images on Spark, where only the colour tells the label: every image is a checkerboard of
 * black and one of two colours that turn into the same grey. Prepared grey ({@code channels: 1}) the two classes
 * cannot be told apart; prepared in colour ({@code channels: 3}) the model learns them, and the
 * run scores the raw images.
 */
class ColourImagesIT {
  static final int RECORDS = 240;
  @TempDir static Path dir;
  static SparkSession spark;
  static String data;
  static int[] colours;

  static String yaml(int channels) {
    return """
        data:
          key: [id]
          sources:
            - {name: swatches, format: csv, path: swatches.csv, image: file}
        tasks:
          - {name: warm, type: binary, source: swatches, column: warm, positive: "yes"}
        prep:
          partitions: 2
          image: {width: 8, height: 8, channels: %d}
        model:
          imageFilters: [4]
          imageHidden: 8
          trunk: [8]
        train:
          epochs: 4
          learningRate: 0.01
        """
        .formatted(channels);
  }

  static int grey(int rgb) {
    BufferedImage one = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    one.setRGB(0, 0, rgb);
    return ImageDecoder.pixels(png(one), 1, 1, 1, 10)[0] & 0xff;
  }

  static byte[] png(BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A warm colour and a cool one of the same grey. */
  static int[] sameGrey() {
    int warm = 0xc83c1e;
    int target = grey(warm);
    for (int g = 0; g < 256; g += 1) {
      for (int b = 0; b < 256; b += 5) {
        int cool = (g << 8) | b;
        if (grey(cool) == target && b > 100) {
          return new int[] {warm, cool};
        }
      }
    }
    throw new IllegalStateException("no cool colour has the grey " + target);
  }

  @BeforeAll
  static void writeSwatches() throws IOException {
    spark = SharedSpark.get();
    colours = sameGrey();
    Path folder = Files.createDirectories(dir.resolve("data"));
    StringBuilder csv = new StringBuilder("id,file,warm\n");
    Random r = new Random(3);
    for (int i = 0; i < RECORDS; i++) {
      boolean warm = r.nextBoolean();
      BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          // A checkerboard of the colour and black: in grey, every image is the same.
          image.setRGB(x, y, (x + y) % 2 == 0 ? (warm ? colours[0] : colours[1]) : 0);
        }
      }
      Files.write(folder.resolve("s" + i + ".png"), png(image));
      csv.append(i).append(",s").append(i).append(".png,").append(warm ? "yes" : "no").append('\n');
    }
    Files.writeString(folder.resolve("swatches.csv"), csv);
    data = folder.toString();
  }

  double trainedAuc(int channels) throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(yaml(channels), "colour.yaml");
    String prep = dir.resolve("prep-" + channels).toString();
    Manifest m = new PrepJob(spark).run(config, data, prep);
    Manifest.InputSpec image =
        m.inputs().stream().filter(i -> i.name().equals("image")).findFirst().orElseThrow();
    assertEquals(List.of(channels, 8, 8), image.shape());
    String run = dir.resolve("run-" + channels).toString();
    new TrainJob(spark).run(config, prep, run);
    return new EvaluateJob(spark)
        .run(run, prep, "test", 2)
        .tasks()
        .get("warm")
        .metrics()
        .get("auc");
  }

  @Test
  void onlyColourTellsTheClassesApartAndAColourModelScores() throws IOException {
    assertEquals(grey(colours[0]), grey(colours[1]), "the same grey");
    double grey = trainedAuc(1);
    assertEquals(0.5, grey, 1e-9, "every grey image is the same, so is every score: AUC " + grey);
    double colour = trainedAuc(3);
    assertTrue(colour > 0.95, "the colour tells the class: AUC " + colour);

    String scored = dir.resolve("scored").toString();
    ScoreJob.Summary summary =
        new ScoreJob(spark)
            .run(dir.resolve("run-3").toString(), data, scored, ScoreJob.Format.PARQUET);
    assertEquals(RECORDS, summary.scored());
    assertNotNull(spark.read().parquet(scored + "/predictions").first());
  }
}
