package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.SerializableConf;

/** Each source format names the file, line, field and reason of a bad row, and parses good rows by column name. */
class SourceFormatsTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [userId, movieId]
        sources:
          - {name: ratings, format: csv, path: r, numeric: [x], categorical: [c]}
          - {name: movies, format: json, path: m, key: [movieId], text: title}
      tasks:
        - {name: r, type: regression, source: ratings, column: r}
        - {name: b, type: binary, source: ratings, column: b}
        - {name: g, type: multilabel, source: movies, column: genres}
      """,
          "test.yaml");

  static RowInterpreter interpreter(String source) {
    SourceConfig s = CONFIG.data().source(source);
    return new RowInterpreter(
        s, CONFIG.data().key(), CONFIG.tasksOf(source), "NA", CONFIG.prep().image().resized(4, 4));
  }

  /** Parses one CSV record given as text, starting on a given line. */
  interface CsvParser {
    ParsedRow<SourceValues> parse(long line, String text) throws IOException;
  }

  interface JsonParser {
    ParsedRow<SourceValues> parse(long line, String text);
  }

  static CsvParser csv(RowInterpreter interpreter, String file, String header) {
    Function<CsvRecord, ParsedRow<SourceValues>> parser =
        new CsvSourceFormat(interpreter, CsvDialect.RFC_4180, StandardCharsets.UTF_8)
            .open(file, new CsvHeader(List.of(header.split(",", -1))));
    return (line, text) ->
        parser.apply(new CsvRecordReader(new StringReader(text), CsvDialect.RFC_4180, line).next());
  }

  @Test
  void csvRowsAreParsedByHeaderWithACompositeKey() throws IOException {
    CsvParser p = csv(interpreter("ratings"), "t.csv", "c,b,movieId,x,r,userId");
    ParsedRow<SourceValues> ok = p.parse(2, "red,true,m1,1.5,4.5,u1");
    assertTrue(ok.isOk());
    assertEquals("u1" + Keys.SEPARATOR + "m1", ok.key(), "key columns in data.key order");
    assertEquals(1.5, ok.value().numeric()[0]);
    assertArrayEquals(new String[] {"red"}, ok.value().categorical());
    assertArrayEquals(new String[] {"4.5", "1"}, ok.value().labels());
    SourceValues missing = p.parse(3, "NA,,m1,NA,,u1").value();
    assertTrue(Double.isNaN(missing.numeric()[0]), "NA is a missing value");
    assertArrayEquals(new String[] {null}, missing.categorical());
    assertArrayEquals(new String[] {null, null}, missing.labels());

    Reject bad = p.parse(7, "red,1,m2,1x,3,u2").reject();
    assertEquals(
        new Reject(
            "ratings",
            "t.csv",
            7,
            "u2" + Keys.SEPARATOR + "m2",
            "x",
            "not a finite number: \"1x\"",
            "red,1,m2,1x,3,u2"),
        bad);
    assertEquals("expected 6 cells, found 3", p.parse(8, "red,1,m3").reject().reason());
    Reject noKey = p.parse(9, "red,1,m3,2,3,").reject();
    assertEquals("userId", noKey.field());
    assertEquals("missing key", noKey.reason());
    Reject label = p.parse(10, "red,maybe,m3,2,3,u3").reject();
    assertEquals("b", label.field());
    assertEquals(
        "not a binary label (yes/no, y/n, true/false, t/f, 1/0): \"maybe\"", label.reason());
    assertTrue(
        p.parse(11, "red,\"1,m3,2,3,u3").reject().reason().contains("quote"), "broken quoting");
  }

  @Test
  void aFileWhoseHeaderLacksAColumnRejectsEveryRowWithTheReason() throws IOException {
    CsvParser p = csv(interpreter("ratings"), "old.csv", "userId,movieId,x,r,b");
    Reject r = p.parse(2, "u1,m1,1,2,0").reject();
    assertEquals("(header)", r.field());
    assertTrue(r.reason().contains("lacks column(s) [c]"), r.reason());
  }

  @Test
  void jsonLinesNeedAnObjectAndTakeArraysAsMultiLabels() {
    JsonSourceFormat json = new JsonSourceFormat(interpreter("movies"), StandardCharsets.UTF_8);
    JsonParser p = (line, text) -> json.parse("m.jsonl", line, text);
    ParsedRow<SourceValues> ok =
        p.parse(1, "{\"movieId\": 7, \"title\": \"Heat\", \"genres\": \"Crime|Action|Crime\"}");
    assertEquals("7", ok.key(), "a whole number is its integer text");
    assertEquals("Heat", ok.value().text());
    assertEquals(
        "Action" + Keys.SEPARATOR + "Crime", ok.value().labels()[0], "sorted, distinct labels");
    ParsedRow<SourceValues> array =
        p.parse(2, "{\"movieId\": \"8\", \"title\": \"Up\", \"genres\": [\"Kids\", \"Fun\"]}");
    assertEquals("Fun" + Keys.SEPARATOR + "Kids", array.value().labels()[0]);
    assertNull(
        p.parse(3, "{\"movieId\": \"9\"}").value().text(), "a missing text is a missing modality");
    assertTrue(
        p.parse(4, "{\"movieId\": \"9\", \"title\": \"cut")
            .reject()
            .reason()
            .startsWith("not valid JSON"));
    assertEquals("not a JSON object", p.parse(5, "[1, 2]").reject().reason());
    assertEquals("missing key", p.parse(6, "{\"title\": \"a\"}").reject().reason());
    assertEquals(
        "not a string", p.parse(7, "{\"movieId\": 1, \"title\": [\"a\"]}").reject().reason());
  }

  @Test
  void imagesAreDecodedToGreyAndResizedOrRejectedWithTheReason() throws Exception {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        img.setRGB(x, y, x < 4 ? 0xFFFFFF : 0x000000);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] grey = ImageDecoder.grey(png.toByteArray(), 4, 4, 64);
    assertEquals(16, grey.length);
    assertEquals(255, grey[0] & 0xff, "white left half");
    assertEquals(0, grey[3] & 0xff, "black right half");
    byte[] raw = new byte[16];
    assertArrayEquals(
        raw, ImageDecoder.grey(raw, 4, 4, 64), "raw pixels of the right size pass through");
    byte[] corrupt = java.util.Arrays.copyOf(png.toByteArray(), 20);
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> ImageDecoder.grey(corrupt, 4, 4, 64));
    assertTrue(e.getMessage().contains("image"), e.getMessage());
  }

  @Test
  void anImageColumnMayNameAFileToRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    MtlConfig config =
        ConfigLoader.fromYaml(
            """
        data:
          sources:
            - {name: scans, format: csv, path: s.csv, image: file}
        tasks:
          - {name: y, type: binary, source: scans, column: y}
        """,
            "paths.yaml");
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(img, "png", dir.resolve("a.png").toFile());
    RowInterpreter in =
        new RowInterpreter(
            config.data().source("scans"),
            config.data().key(),
            config.tasks(),
            "NA",
            config.prep().image().resized(4, 4),
            new SerializableConf(new org.apache.hadoop.conf.Configuration()),
            dir.toUri().toString());
    CsvParser p = csv(in, "s.csv", "id,file,y");
    assertEquals(
        16,
        p.parse(2, "k1,a.png,1").value().image().length,
        "read relative to the data root, decoded");
    Reject missing = p.parse(3, "k2,nope.png,1").reject();
    assertEquals("file", missing.field());
    assertTrue(missing.reason().startsWith("cannot read image file"), missing.reason());
  }
}
