package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultiMnistReaderTest {
  @TempDir Path dir;

  @Test
  void theLeftItemIsAtTheTopLeftTheRightOneShiftedBySixAndTheBrighterPixelWins() {
    byte[] left = new byte[28 * 28];
    byte[] right = new byte[28 * 28];
    left[0] = 10; // (0, 0): left only
    left[10 * 28 + 10] = (byte) 200; // (10, 10): overlaps right's (4, 4)
    right[4 * 28 + 4] = 100;
    left[12 * 28 + 12] = 50; // (12, 12): overlaps right's (6, 6), which is brighter
    right[6 * 28 + 6] = (byte) 220;
    right[27 * 28 + 27] = 30; // right's last pixel lands at (33, 33)
    byte[] canvas = MultiMnistReader.overlay(left, right, 28, 28);
    assertEquals(36 * 36, canvas.length);
    assertEquals(10, canvas[0]);
    assertEquals(200, canvas[10 * 36 + 10] & 0xff);
    assertEquals(220, canvas[12 * 36 + 12] & 0xff);
    assertEquals(30, canvas[33 * 36 + 33]);
    int lit = 0;
    for (byte b : canvas) {
      lit += b != 0 ? 1 : 0;
    }
    assertEquals(4, lit, "nothing else is drawn");
  }

  @Test
  void partnersAreFixedNeverTheImageItselfAndSpreadOverTheFile() {
    Set<Integer> partners = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      int p = MultiMnistReader.partner(i, 1000);
      assertEquals(p, MultiMnistReader.partner(i, 1000));
      assertNotEquals(i, p);
      assertTrue(p >= 0 && p < 1000);
      partners.add(p);
    }
    assertTrue(
        partners.size() > 550,
        "about 1 - 1/e of the images are someone's partner: " + partners.size());
  }

  @Test
  void thePngHoldsTheCanvasExactly() {
    byte[] canvas = MultiMnistReader.overlay(IdxFixture.image(3), IdxFixture.image(8), 28, 28);
    assertArrayEquals(canvas, ImageDecoder.grey(MultiMnistReader.png(canvas), 36, 36, 36 * 36));
  }

  @Test
  void filesAreReadGzippedOrNotAndBadOnesAreNamed() throws IOException {
    IdxFixture.write(dir, 12, 5);
    Configuration conf = new Configuration();
    var pair =
        MultiMnistReader.pairs(
                "digits",
                List.of(
                    dir.resolve("t10k-images-idx3-ubyte.gz").toString(),
                    dir.resolve("t10k-labels-idx1-ubyte.gz").toString(),
                    dir.resolve("train-images-idx3-ubyte.gz").toString(),
                    dir.resolve("train-labels-idx1-ubyte.gz").toString()))
            .get(0);
    assertEquals("train", pair.name());
    MultiMnistReader.Idx idx = MultiMnistReader.Idx.read(conf, pair);
    assertEquals(12, idx.count());
    assertArrayEquals(IdxFixture.image(7), idx.image(7));
    assertEquals(7, idx.labels()[7]);

    PrepException missing =
        assertThrows(
            PrepException.class,
            () ->
                MultiMnistReader.pairs(
                    "digits", List.of(dir.resolve("train-images-idx3-ubyte.gz").toString())));
    assertTrue(
        missing.getMessage().contains("needs train-images-idx3-ubyte and train-labels-idx1-ubyte"),
        missing.getMessage());

    Path labels = dir.resolve("labels-as-images");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
      out.writeInt(0x801);
      out.writeInt(3);
    }
    PrepException magic =
        assertThrows(
            PrepException.class,
            () ->
                MultiMnistReader.Idx.read(
                    conf,
                    new MultiMnistReader.Pair("train", labels.toString(), labels.toString())));
    assertTrue(
        magic.getMessage().contains(labels + " is not an IDX image file"), magic.getMessage());

    Path truncated = dir.resolve("truncated");
    try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(truncated))) {
      out.writeInt(0x803);
      out.writeInt(3);
      out.writeInt(28);
      out.writeInt(28);
      out.write(new byte[100]);
    }
    PrepException cut =
        assertThrows(
            PrepException.class,
            () ->
                MultiMnistReader.Idx.read(
                    conf,
                    new MultiMnistReader.Pair(
                        "train",
                        truncated.toString(),
                        dir.resolve("train-labels-idx1-ubyte.gz").toString())));
    assertTrue(cut.getMessage().contains("is truncated"), cut.getMessage());
  }

  @Test
  void captionsNameBothClassesWithTheirPlacesInFourSentences() {
    java.util.Set<String> shapes = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      String c = MultiMnistReader.caption(i, 3, 7);
      assertEquals(c, MultiMnistReader.caption(i, 3, 7), "the same every time");
      // The left class comes with "left", the right one with "right", whatever the order.
      String l = c.replaceAll(".*\\b(three)\\b.*?\\b(left|right)\\b.*", "$2");
      boolean leftNear =
          c.matches(".*three (on the |at the top )?left.*") || c.matches(".*left three.*");
      boolean rightNear =
          c.matches(".*seven (on the |at the bottom )?right.*") || c.matches(".*right seven.*");
      assertTrue(leftNear && rightNear, c + " (" + l + ")");
      shapes.add(c.replace("three", "L").replace("seven", "R"));
    }
    assertEquals(
        java.util.Set.of(
            "a L on the left and a R on the right",
            "a R on the right and a L on the left",
            "left L right R",
            "R at the bottom right , L at the top left"),
        shapes);
  }

  @Test
  void theDescriptionsFormIsChosenByTheClassesAndEachFormComesUp() {
    java.util.Set<String> forms = new java.util.HashSet<>();
    List<String> words = MultiMnistReader.WORDS;
    for (int l = 0; l < 10; l++) {
      for (int r = 0; r < 10; r++) {
        String d =
            MultiMnistReader.description(l, r, org.mtlspark.config.SourceConfig.Items.DIGITS);
        int left = l;
        int right = r;
        // One of the caption's four sentences about the pair.
        assertTrue(
            java.util.stream.IntStream.range(0, 100)
                .anyMatch(i -> MultiMnistReader.caption(i, left, right).equals(d)),
            d);
        if (l != r) {
          forms.add(d.replace(words.get(l), "L").replace(words.get(r), "R"));
        }
      }
    }
    assertEquals(
        java.util.Set.of(
            "a L on the left and a R on the right",
            "a R on the right and a L on the left",
            "left L right R",
            "R at the bottom right , L at the top left"),
        forms);
  }

  @Test
  void questionsOfFiveKindsAreAnsweredFromBothClasses() {
    java.util.Map<String, Integer> kinds = new java.util.HashMap<>();
    int thereYes = 0;
    int there = 0;
    for (int i = 0; i < 2000; i++) {
      int l = i % 10;
      int r = (i / 10) % 10;
      String[] qa = MultiMnistReader.question(i, l, r);
      assertArrayEquals(qa, MultiMnistReader.question(i, l, r), "the same every time");
      String q = qa[0];
      String a = qa[1];
      String kind = q.startsWith("is there a ") ? "is there" : q;
      kinds.merge(kind, 1, Integer::sum);
      switch (kind) {
        case "which digit is on the left ?" -> assertEquals(Integer.toString(l), a);
        case "which digit is on the right ?" -> assertEquals(Integer.toString(r), a);
        case "is the left digit larger than the right one ?" ->
            assertEquals(l > r ? "yes" : "no", a);
        case "what is the sum of the two digits ?" -> assertEquals(Integer.toString(l + r), a);
        default -> {
          int asked = MultiMnistReader.WORDS.indexOf(q.substring(11, q.length() - 2));
          assertTrue(asked >= 0, q);
          assertEquals(asked == l || asked == r ? "yes" : "no", a, q + " on " + l + "/" + r);
          there++;
          thereYes += a.equals("yes") ? 1 : 0;
        }
      }
    }
    assertEquals(5, kinds.size(), kinds.toString());
    for (int n : kinds.values()) {
      assertTrue(n > 300 && n < 500, "each kind about a fifth: " + kinds);
    }
    // Half the questions name a class on the canvas, the others any class: neither answer is a
    // safe guess.
    assertTrue(thereYes > 0.5 * there && thereYes < 0.7 * there, thereYes + " of " + there);
  }

  @Test
  void fashionQuestionsAskForClothesAndShoesAndAreAnsweredFromBothClasses() {
    java.util.Map<String, Integer> kinds = new java.util.HashMap<>();
    java.util.Map<String, Integer> yes = new java.util.HashMap<>();
    var fashion = org.mtlspark.config.SourceConfig.Items.FASHION;
    List<String> shoes = List.of("sandal", "sneaker", "boot");
    List<String> tops = List.of("t-shirt", "pullover", "coat", "shirt");
    for (int i = 0; i < 2000; i++) {
      int l = i % 10;
      int r = (i / 10) % 10;
      String[] qa = MultiMnistReader.question(i, l, r, fashion);
      String q = qa[0];
      String a = qa[1];
      String left = MultiMnistReader.FASHION.get(l);
      String right = MultiMnistReader.FASHION.get(r);
      String kind =
          q.equals("is there a shoe ?") || q.equals("is there a top ?")
              ? "is there a kind"
              : q.startsWith("is there a ") ? "is there" : q;
      kinds.merge(kind, 1, Integer::sum);
      yes.merge(kind, a.equals("yes") ? 1 : 0, Integer::sum);
      switch (kind) {
        case "which item is on the left ?" -> assertEquals(left, a);
        case "which item is on the right ?" -> assertEquals(right, a);
        case "is there a kind" -> {
          List<String> named = q.contains("shoe") ? shoes : tops;
          assertEquals(
              named.contains(left) || named.contains(right) ? "yes" : "no", a, q + left + right);
        }
        case "are both items of the same kind ?" ->
            assertEquals(
                left.equals(right)
                        || (shoes.contains(left) && shoes.contains(right))
                        || (tops.contains(left) && tops.contains(right))
                    ? "yes"
                    : "no",
                a,
                left + "/" + right);
        default -> {
          String asked = q.substring(11, q.length() - 2);
          assertTrue(MultiMnistReader.FASHION.contains(asked), q);
          assertEquals(asked.equals(left) || asked.equals(right) ? "yes" : "no", a, q);
        }
      }
    }
    assertEquals(5, kinds.size(), kinds.toString());
    for (int n : kinds.values()) {
      assertTrue(n > 300 && n < 500, "each kind about a fifth: " + kinds);
    }
    // Neither answer is a safe guess for the yes-or-no kinds.
    for (String k : List.of("is there a kind", "is there", "are both items of the same kind ?")) {
      double share = (double) yes.get(k) / kinds.get(k);
      assertTrue(share > 0.2 && share < 0.8, k + ": yes " + share);
    }
    assertEquals(
        "a sneaker on the left and a bag on the right",
        java.util.stream.IntStream.range(0, 50)
            .mapToObj(i -> MultiMnistReader.caption(i, 7, 8, fashion))
            .filter(c -> c.startsWith("a sneaker on the left"))
            .findFirst()
            .orElseThrow());
  }
}
