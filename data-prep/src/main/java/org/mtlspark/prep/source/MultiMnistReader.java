package org.mtlspark.prep.source;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.mtlspark.config.SourceConfig.Items;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Builds MultiMNIST-style records from MNIST-format IDX files (MNIST, Fashion-MNIST), as Sener and
 * Koltun describe: each image of a file is the "left" item, drawn at the top left of a 36x36
 * canvas; a partner image of the same file, drawn at random (a fixed hash of the index), is the
 * "right" item, shifted 6 pixels right and down; where they overlap the brighter pixel wins.
 *
 * <p>The source folder holds {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte} (each optionally gzipped).
 * Every row offers the cells {@code part} ({@code train} for the first nine tenths of the training
 * file, {@code validation} for its last tenth, {@code test} for the t10k file), {@code index} (the
 * left image's position in its file), {@code left} and {@code right} (the two items' classes) and
 * {@code image} (the 36x36 overlay as a PNG, resized like any image by {@code prep.image}), and
 * {@code caption}, a sentence made from the two classes ({@link #caption}), {@code description},
 * the same sentences with the form chosen by the classes ({@link #description}), and {@code
 * question} and {@code answer}, a question about the canvas and its answer ({@link #question}).
 */
public final class MultiMnistReader {
  /** The cells every row offers. */
  public static final Set<String> CELLS =
      Set.of(
          "part",
          "index",
          "left",
          "right",
          "image",
          "caption",
          "description",
          "question",
          "answer");

  /** The classes 0 to 9 as words, in captions. */
  static final List<String> WORDS =
      List.of("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine");

  /** Fashion-MNIST's classes 0 to 9 as words, in captions and questions. */
  static final List<String> FASHION =
      List.of(
          "t-shirt",
          "trouser",
          "pullover",
          "dress",
          "coat",
          "sandal",
          "shirt",
          "sneaker",
          "bag",
          "boot");

  /** Fashion-MNIST's classes by kind: tops, trousers, dresses, shoes, bags. */
  static final List<Integer> FASHION_KINDS = List.of(0, 1, 0, 2, 0, 3, 0, 3, 4, 3);

  /** The index of the kind "shoe" (sandal, sneaker, boot) and of "top" in {@link #FASHION_KINDS}. */
  static final int SHOE = 3;

  static final int TOP = 0;

  /** The names of {@code items}' classes 0 to 9. */
  static List<String> words(Items items) {
    return items == Items.FASHION ? FASHION : WORDS;
  }

  /**
   * The caption of record {@code i} whose items have classes {@code left} and {@code right}: one of
   * four sentences (chosen by a fixed hash of {@code i}) naming both, in either order, e.g. "a
   * three on the left and a seven on the right" or "seven at the bottom right , three at the top
   * left", so that which class is where has to be read from the words around it.
   */
  public static String caption(int i, int left, int right) {
    return caption(i, left, right, Items.DIGITS);
  }

  /** As {@link #caption(int, int, int)}, naming {@code items}' classes. */
  public static String caption(int i, int left, int right, Items items) {
    return sentence(
        Math.floorMod(partner(i ^ 0x5bd1e995, Integer.MAX_VALUE), 4), left, right, items);
  }

  /**
   * The description of a canvas whose items have classes {@code left} and {@code right}: the
   * sentence of {@link #caption} whose form ({@code (left + 2 right) mod 4}) the classes choose, so
   * that a model that sees the canvas can write it word for word, and has to learn in which order
   * the words go for each pair.
   */
  public static String description(int left, int right, Items items) {
    return sentence(Math.floorMod(left + 2 * right, 4), left, right, items);
  }

  /** Sentence form {@code form} (0 to 3) naming the two items. */
  private static String sentence(int form, int left, int right, Items items) {
    String l = words(items).get(Math.floorMod(left, 10));
    String r = words(items).get(Math.floorMod(right, 10));
    return switch (form) {
      case 0 -> "a " + l + " on the left and a " + r + " on the right";
      case 1 -> "a " + r + " on the right and a " + l + " on the left";
      case 2 -> "left " + l + " right " + r;
      default -> r + " at the bottom right , " + l + " at the top left";
    };
  }

  /** The kinds of question {@link #question} asks, in the order of its hash's choice. */
  static final int QUESTION_KINDS = 5;

  /**
   * A question about the canvas of record {@code i}, whose items have classes {@code left} and
   * {@code right}, and its answer: one of five kinds, chosen by a fixed hash of {@code i}: "which
   * digit is on the left ?" and "... on the right ?" (the class, "0" to "9"), "is the left digit
   * larger than the right one ?" ("yes" or "no"), "what is the sum of the two digits ?" ("0" to
   * "18"), "is there a seven ?" (half the time naming a class on the canvas, else any class: "yes"
   * about 60% of the time). Every answer needs both: the image alone cannot tell which question
   * is asked (nor which class "is there" names), the question alone can only guess the yes-or-no
   * answers. Returns {question, answer}.
   */
  public static String[] question(int i, int left, int right) {
    return question(i, left, right, Items.DIGITS);
  }

  /**
   * As {@link #question(int, int, int)} for {@code items}; on Fashion-MNIST's clothes the five
   * kinds are "which item is on the left ?" and "... on the right ?" (the class: "t-shirt",
   * "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot"), "is there
   * a shoe ?" or "is there a top ?" (a sandal, sneaker or boot; a t-shirt, pullover, coat or shirt),
   * "are both items of the same kind ?" (tops, trousers, dresses, shoes, bags), and "is there a
   * bag ?" naming one class, as for digits.
   */
  public static String[] question(int i, int left, int right, Items items) {
    int l = Math.floorMod(left, 10);
    int r = Math.floorMod(right, 10);
    int h = partner(i ^ 0x2c1b3c6d, Integer.MAX_VALUE);
    if (items == Items.FASHION) {
      return fashionQuestion(h, l, r);
    }
    return switch (Math.floorMod(h, QUESTION_KINDS)) {
      case 0 -> new String[] {"which digit is on the left ?", Integer.toString(l)};
      case 1 -> new String[] {"which digit is on the right ?", Integer.toString(r)};
      case 2 ->
          new String[] {"is the left digit larger than the right one ?", l > r ? "yes" : "no"};
      case 3 -> new String[] {"what is the sum of the two digits ?", Integer.toString(l + r)};
      default -> isThere(h / QUESTION_KINDS, l, r, WORDS);
    };
  }

  /**
   * "is there a seven ?" with its answer for the classes {@code l} and {@code r}, the class named
   * by {@code words}: half the time (by {@code g}) one of the canvas's classes, else a class drawn
   * from all ten.
   */
  private static String[] isThere(int g, int l, int r, List<String> words) {
    int asked =
        Math.floorMod(g, 2) == 0
            ? (Math.floorMod(g / 2, 2) == 0 ? l : r)
            : Math.floorMod(g / 4, 10);
    return new String[] {
      "is there a " + words.get(asked) + " ?", asked == l || asked == r ? "yes" : "no"
    };
  }

  private static String[] fashionQuestion(int h, int l, int r) {
    int g = h / QUESTION_KINDS;
    return switch (Math.floorMod(h, QUESTION_KINDS)) {
      case 0 -> new String[] {"which item is on the left ?", FASHION.get(l)};
      case 1 -> new String[] {"which item is on the right ?", FASHION.get(r)};
      case 2 -> {
        int kind = Math.floorMod(g, 2) == 0 ? SHOE : TOP;
        boolean there = FASHION_KINDS.get(l) == kind || FASHION_KINDS.get(r) == kind;
        yield new String[] {
          "is there a " + (kind == SHOE ? "shoe" : "top") + " ?", there ? "yes" : "no"
        };
      }
      case 3 ->
          new String[] {
            "are both items of the same kind ?",
            FASHION_KINDS.get(l).equals(FASHION_KINDS.get(r)) ? "yes" : "no"
          };
      default -> isThere(g, l, r, FASHION);
    };
  }

  static final int CANVAS = 36;
  static final int SHIFT = 6;
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  /** Rows built by one task. */
  private static final int SLICE = 5000;

  private MultiMnistReader() {}

  /** One IDX pair: which part of the data it gives and its two files. */
  record Pair(String name, String images, String labels) implements java.io.Serializable {}

  /** One task's work: a range of left images of one pair. */
  record Slice(Pair pair, int from, int to) implements java.io.Serializable {}

  public static JavaRDD<ParsedRow<SourceValues>> read(
      JavaSparkContext jsc,
      SerializableConf conf,
      String sourceName,
      Items items,
      List<String> files,
      RowInterpreter interpreter)
      throws IOException {
    List<String> missing =
        interpreter.requiredColumns().stream().filter(c -> !CELLS.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new PrepException(
          "source "
              + sourceName
              + " (format multimnist) offers the columns part, index, left, "
              + "right, image, caption, description, question and answer, not "
              + missing);
    }
    List<Slice> slices = new ArrayList<>();
    for (Pair pair : pairs(sourceName, files)) {
      int count = count(conf.get(), pair);
      for (int from = 0; from < count; from += SLICE) {
        slices.add(new Slice(pair, from, Math.min(count, from + SLICE)));
      }
    }
    return jsc.parallelize(slices, Math.max(1, slices.size()))
        .flatMap(
            slice -> {
              Idx idx = Idx.read(conf.get(), slice.pair());
              List<ParsedRow<SourceValues>> rows = new ArrayList<>(slice.to() - slice.from());
              int validationFrom =
                  slice.pair().name().equals("train")
                      ? idx.count() - idx.count() / 10
                      : Integer.MAX_VALUE;
              for (int i = slice.from(); i < slice.to(); i++) {
                int partner = partner(i, idx.count());
                String part =
                    slice.pair().name().equals("train")
                        ? (i >= validationFrom ? "validation" : "train")
                        : "test";
                byte[] png =
                    png(overlay(idx.image(i), idx.image(partner), idx.rows(), idx.columns()));
                String index = Integer.toString(i);
                String left = Integer.toString(idx.labels()[i]);
                String right = Integer.toString(idx.labels()[partner]);
                String caption = caption(i, idx.labels()[i], idx.labels()[partner], items);
                String description = description(idx.labels()[i], idx.labels()[partner], items);
                String[] qa = question(i, idx.labels()[i], idx.labels()[partner], items);
                rows.add(
                    interpreter.interpret(
                        slice.pair().images(),
                        i + 1L,
                        column ->
                            switch (column) {
                              case "part" -> part;
                              case "index" -> index;
                              case "left" -> left;
                              case "right" -> right;
                              case "image" -> png;
                              case "caption" -> caption;
                              case "description" -> description;
                              case "question" -> qa[0];
                              case "answer" -> qa[1];
                              default -> null;
                            },
                        part + " " + index));
              }
              return rows.iterator();
            });
  }

  /** The train and t10k pairs among a source's files; a clear error when one is incomplete or absent. */
  static List<Pair> pairs(String sourceName, List<String> files) {
    List<Pair> pairs = new ArrayList<>();
    for (String name : List.of("train", "t10k")) {
      String images = find(files, name + "-images-idx3-ubyte");
      String labels = find(files, name + "-labels-idx1-ubyte");
      if (images == null || labels == null) {
        throw new PrepException(
            "source "
                + sourceName
                + " (format multimnist) needs "
                + name
                + "-images-idx3-ubyte and "
                + name
                + "-labels-idx1-ubyte (optionally .gz) in its folder; found "
                + files.stream().map(f -> new Path(f).getName()).toList());
      }
      pairs.add(new Pair(name.equals("train") ? "train" : "test", images, labels));
    }
    return pairs;
  }

  private static String find(List<String> files, String stem) {
    return files.stream()
        .filter(
            f -> {
              String n = new Path(f).getName();
              return n.equals(stem) || n.equals(stem + ".gz");
            })
        .findFirst()
        .orElse(null);
  }

  /** The number of images of a pair, read from both headers, which must agree. */
  private static int count(Configuration conf, Pair pair) throws IOException {
    int images;
    int labels;
    try (DataInputStream in = open(conf, pair.images())) {
      images = header(in, pair.images(), IMAGES_MAGIC);
    }
    try (DataInputStream in = open(conf, pair.labels())) {
      labels = header(in, pair.labels(), LABELS_MAGIC);
    }
    if (images != labels) {
      throw new PrepException(
          pair.images()
              + " holds "
              + images
              + " images but "
              + pair.labels()
              + " "
              + labels
              + " labels");
    }
    return images;
  }

  private static int header(DataInputStream in, String file, int magic) throws IOException {
    int found = in.readInt();
    if (found != magic) {
      throw new PrepException(
          file
              + " is not an IDX "
              + (magic == IMAGES_MAGIC ? "image" : "label")
              + " file: magic number "
              + Integer.toHexString(found)
              + ", expected "
              + Integer.toHexString(magic));
    }
    return in.readInt();
  }

  static DataInputStream open(Configuration conf, String file) throws IOException {
    Path p = new Path(file);
    InputStream in = p.getFileSystem(conf).open(p);
    return new DataInputStream(file.endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in);
  }

  /** The partner of left image {@code i} among {@code n}: a fixed pseudo-random other image. */
  public static int partner(int i, int n) {
    long h = (i + 1) * 0x9E3779B97F4A7C15L;
    h ^= h >>> 31;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 29;
    int j = (int) Math.floorMod(h, (long) n);
    return j == i ? (i + 1) % n : j;
  }

  /** The two items on a 36x36 canvas: left at (0, 0), right at (6, 6), the brighter pixel where they overlap. */
  static byte[] overlay(byte[] left, byte[] right, int rows, int columns) {
    byte[] canvas = new byte[CANVAS * CANVAS];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(left, r * columns, canvas, r * CANVAS, columns);
    }
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        int at = (r + SHIFT) * CANVAS + c + SHIFT;
        int v = right[r * columns + c] & 0xff;
        if (v > (canvas[at] & 0xff)) {
          canvas[at] = (byte) v;
        }
      }
    }
    return canvas;
  }

  static byte[] png(byte[] grey) {
    BufferedImage image = new BufferedImage(CANVAS, CANVAS, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setDataElements(0, 0, CANVAS, CANVAS, grey);
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** The images and labels of one pair, in memory. */
  record Idx(byte[] pixels, byte[] labels, int count, int rows, int columns) {
    byte[] image(int i) {
      int size = rows * columns;
      byte[] out = new byte[size];
      System.arraycopy(pixels, i * size, out, 0, size);
      return out;
    }

    static Idx read(Configuration conf, Pair pair) throws IOException {
      try (DataInputStream images = open(conf, pair.images());
          DataInputStream labels = open(conf, pair.labels())) {
        int count = header(images, pair.images(), IMAGES_MAGIC);
        int rows = images.readInt();
        int columns = images.readInt();
        if (rows > CANVAS - SHIFT || columns > CANVAS - SHIFT || rows < 1 || columns < 1) {
          throw new PrepException(
              pair.images()
                  + ": images of "
                  + rows
                  + "x"
                  + columns
                  + " do not fit the "
                  + CANVAS
                  + "x"
                  + CANVAS
                  + " canvas with a shift of "
                  + SHIFT);
        }
        header(labels, pair.labels(), LABELS_MAGIC);
        byte[] pixels = new byte[count * rows * columns];
        byte[] classes = new byte[count];
        try {
          images.readFully(pixels);
          labels.readFully(classes);
        } catch (EOFException e) {
          throw new PrepException(
              pair.images()
                  + " or "
                  + pair.labels()
                  + " is truncated: its header promises "
                  + count
                  + " items");
        }
        return new Idx(pixels, classes, count, rows, columns);
      }
    }
  }
}
