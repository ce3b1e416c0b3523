package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;

/** The shipped MultiMNIST configuration prepares IDX files into the overlaid two-task data set. */
class MultiMnistIT {
  static final int TRAIN = 60;
  static final int TEST = 20;
  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest manifest;

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    IdxFixture.write(dir.resolve("idx"), TRAIN, TEST);
    MtlConfig config =
        ConfigLoader.load(
            List.of(SharedSpark.confDir().resolve("examples/multimnist.yaml").toString()),
            List.of("prep.writeExamples=true", "prep.batchSize=8"));
    manifest =
        new PrepJob(spark)
            .run(config, dir.resolve("idx").toString(), dir.resolve("prep").toString());
  }

  @Test
  void theTestSplitIsTheT10kFileAndValidationTheTrainingFilesLastTenth() {
    Manifest.SourceCount digits = manifest.counts().sources().get("digits");
    assertEquals(TRAIN + TEST, digits.rows());
    assertEquals(TRAIN + TEST, digits.accepted());
    assertEquals(54, manifest.splits().get("train").examples());
    assertEquals(6, manifest.splits().get("validation").examples());
    assertEquals(TEST, manifest.splits().get("test").examples());
    for (String split : List.of("train", "validation", "test")) {
      for (Row r : examples(split)) {
        String[] key = Keys.split(r.getString(r.fieldIndex("key")));
        int index = Integer.parseInt(key[1]);
        String expected = key[0].equals("test") ? "test" : index >= 54 ? "validation" : "train";
        assertEquals(split, key[0]);
        assertEquals(expected, split, "record " + index);
      }
    }
  }

  @Test
  void eachRecordHoldsItsOverlayAndBothItemsClasses() {
    List<String> classes = manifest.featurizers().tasks().get(0).classes();
    List<Row> test = examples("test");
    assertEquals(TEST, test.size());
    for (Row r : test) {
      int i = Integer.parseInt(Keys.split(r.getString(r.fieldIndex("key")))[1]);
      int partner = MultiMnistReader.partner(i, TEST);
      assertEquals(
          String.valueOf(IdxFixture.label(i)),
          classes.get(argmax(r.getList(r.fieldIndex("label_left")))));
      assertEquals(
          String.valueOf(IdxFixture.label(partner)),
          classes.get(argmax(r.getList(r.fieldIndex("label_right")))));
      byte[] expected =
          ImageDecoder.grey(
              MultiMnistReader.png(
                  MultiMnistReader.overlay(IdxFixture.image(i), IdxFixture.image(partner), 28, 28)),
              28,
              28,
              36 * 36);
      List<Float> pixels = r.getList(r.fieldIndex("image"));
      assertEquals(28 * 28, pixels.size());
      for (int p = 0; p < expected.length; p++) {
        assertEquals(
            (expected[p] & 0xff) / 255.0, pixels.get(p), 1e-6, "record " + i + " pixel " + p);
      }
    }
    assertTrue(
        test.stream()
            .anyMatch(
                r ->
                    argmax(r.getList(r.fieldIndex("label_left")))
                        != argmax(r.getList(r.fieldIndex("label_right")))),
        "the two tasks differ");
  }

  @Test
  void fashionItemsAskAboutClothesAndShoes() throws IOException {
    MtlConfig config =
        ConfigLoader.load(
            List.of(SharedSpark.confDir().resolve("examples/multimnist-vqa.yaml").toString()),
            List.of(
                "prep.batchSize=8",
                "data.sources=[{name: digits, format: multimnist, path: ., image: image,"
                    + " text: question, items: fashion}]"));
    Manifest fashion =
        new PrepJob(spark)
            .run(config, dir.resolve("idx").toString(), dir.resolve("prep-fashion").toString());
    List<String> words = fashion.featurizers().textVocabulary().tokens();
    assertTrue(words.contains("item") && words.contains("kind"), words.toString());
    assertTrue(!words.contains("digit"), "no digits in fashion questions: " + words);
    List<String> answers = fashion.featurizers().tasks().get(0).classes();
    assertTrue(
        answers.stream().anyMatch(MultiMnistReader.FASHION::contains) && answers.contains("yes"),
        answers.toString());
  }

  private static List<Row> examples(String split) {
    return spark.read().parquet(dir.resolve("prep/examples/" + split).toString()).collectAsList();
  }

  private static int argmax(List<Float> v) {
    int best = 0;
    for (int i = 1; i < v.size(); i++) {
      best = v.get(i) > v.get(best) ? i : best;
    }
    return best;
  }
}
