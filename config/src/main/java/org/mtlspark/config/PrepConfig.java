package org.mtlspark.config;

import java.util.List;

/** How sources become featurized, split, batched examples. */
public record PrepConfig(
    SplitConfig split,
    int batchSize,
    TextFeatures text,
    ImageFeatures image,
    int maxCategories,
    int hashBuckets,
    IdFeatures ids,
    boolean missingIndicators,
    int numericBins,
    boolean writeExamples,
    double maxRejectFraction,
    String partitions)
    implements Validatable {

  /** {@code prep.partitions: auto} gives four partitions per this many bytes of source files. */
  public static final long AUTO_BYTES_PER_FOUR_PARTITIONS = 128L << 20;

  /** The most quantile bins {@code numericBins} may give a numeric column. */
  public static final int MAX_NUMERIC_BINS = 64;

  private static final String AUTO = "auto";

  @Override
  public void validate(String path, Problems problems) {
    problems.require(
        batchSize >= 1 && batchSize <= 65536,
        Validatable.at(path, "batchSize"),
        "must be in [1, 65536], was " + batchSize);
    problems.require(
        maxCategories >= 1,
        Validatable.at(path, "maxCategories"),
        "must be >= 1, was " + maxCategories);
    problems.require(
        hashBuckets >= 2 && hashBuckets <= 1 << 20,
        Validatable.at(path, "hashBuckets"),
        "must be in [2, 1048576], was " + hashBuckets);
    problems.require(
        numericBins >= 0 && numericBins <= MAX_NUMERIC_BINS,
        Validatable.at(path, "numericBins"),
        "must be in [0, " + MAX_NUMERIC_BINS + "], was " + numericBins);
    problems.require(
        maxRejectFraction >= 0 && maxRejectFraction <= 1,
        Validatable.at(path, "maxRejectFraction"),
        "must be in [0, 1], was " + maxRejectFraction);
    problems.require(
        AUTO.equalsIgnoreCase(partitions) || fixedPartitions() >= 1,
        Validatable.at(path, "partitions"),
        "must be auto or a whole number >= 1, was " + partitions);
  }

  /**
   * The partitions to align, featurize and write {@code sourceBytes} of source files in: the
   * configured number, or with {@code auto} four per {@link #AUTO_BYTES_PER_FOUR_PARTITIONS} bytes
   * begun, so that tasks sort fewer records each as data grows, in whole rounds on 1, 2 or 4 cores.
   * It depends on the data alone, not on the machine: the same sources give the same batches
   * everywhere.
   */
  public int partitionsFor(long sourceBytes) {
    if (!AUTO.equalsIgnoreCase(partitions)) {
      return fixedPartitions();
    }
    long fours =
        Math.max(
            1, (sourceBytes + AUTO_BYTES_PER_FOUR_PARTITIONS - 1) / AUTO_BYTES_PER_FOUR_PARTITIONS);
    return (int) Math.min(Integer.MAX_VALUE / 4, fours) * 4;
  }

  /** The configured number of partitions; 0 when it is not a whole number. */
  private int fixedPartitions() {
    try {
      return partitions == null ? 0 : Integer.parseInt(partitions.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Fractions of records that go to training and validation (the rest is test), drawn by a hash of
   * the key, or of one key column ({@code by}) so that all records sharing it land on one side; or,
   * when {@code named}, the split the {@code by} column names (train, validation or test).
   */
  public record SplitConfig(double train, double validation, String salt, String by, boolean named)
      implements Validatable {
    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          train > 0 && train < 1, Validatable.at(path, "train"), "must be in (0, 1), was " + train);
      problems.require(
          validation >= 0 && validation < 1,
          Validatable.at(path, "validation"),
          "must be in [0, 1), was " + validation);
      problems.require(
          train + validation < 1,
          path,
          "train + validation must leave a test share, was " + (train + validation));
      problems.require(
          !named || !by.isEmpty(),
          Validatable.at(path, "named"),
          "needs the key column whose value names the split in prep.split.by");
    }

    public double test() {
      return 1 - train - validation;
    }
  }

  /**
   * Images: decoded to grey, resized to width x height, scaled to [0, 1]. An image whose header
   * declares more than {@code maxPixels} pixels is rejected before it is decoded, and so is an
   * encoded image of more than {@code maxBytes} bytes (a file is read no further). An image column
   * may name files under the data root or under one of {@code allowedRoots} (absolute paths or
   * URIs of folders) only.
   */
  public record ImageFeatures(
      int width, int height, int channels, long maxPixels, long maxBytes, List<String> allowedRoots)
      implements Validatable {
    /** The largest {@code maxBytes}: one Java array. */
    public static final long MAX_BYTES_LIMIT = 1L << 30;

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          width >= 4 && width <= 512,
          Validatable.at(path, "width"),
          "must be in [4, 512], was " + width);
      problems.require(
          height >= 4 && height <= 512,
          Validatable.at(path, "height"),
          "must be in [4, 512], was " + height);
      problems.require(
          channels == 1 || channels == 3,
          Validatable.at(path, "channels"),
          "must be 1 (grey) or 3 (red, green, blue), was " + channels);
      problems.require(
          maxPixels >= (long) width * height && maxPixels <= Integer.MAX_VALUE,
          Validatable.at(path, "maxPixels"),
          "must be in [width * height, " + Integer.MAX_VALUE + "], was " + maxPixels);
      problems.require(
          maxBytes >= 1 && maxBytes <= MAX_BYTES_LIMIT,
          Validatable.at(path, "maxBytes"),
          "must be in [1, " + MAX_BYTES_LIMIT + "], was " + maxBytes);
      for (int i = 0; i < allowedRoots.size(); i++) {
        String problem = rootProblem(allowedRoots.get(i));
        if (problem != null) {
          problems.add(Validatable.at(path, "allowedRoots") + "[" + i + "]", problem);
        }
      }
    }

    /** Why {@code root} is not a usable allowed root (an absolute path or a URI with a path), or null. */
    private static String rootProblem(String root) {
      if (root == null || root.isBlank()) {
        return "must be an absolute folder path or a URI, was empty";
      }
      try {
        java.net.URI uri = new org.apache.hadoop.fs.Path(root.trim()).toUri();
        if (uri.getScheme() == null && !uri.getPath().startsWith("/")) {
          return "must be an absolute folder path or a URI (relative paths are under the data root already), was "
              + root;
        }
        if ((uri.getPath() + "/").contains("/../")) {
          return "must not go up a folder ('..'), was " + root;
        }
        return null;
      } catch (IllegalArgumentException e) {
        return "not a path or URI (" + e.getMessage() + "), was " + root;
      }
    }

    /** These settings for images resized to {@code w x h} instead. */
    public ImageFeatures resized(int w, int h) {
      return new ImageFeatures(w, h, channels, maxPixels, maxBytes, allowedRoots);
    }
  }

  /**
   * How a text becomes tokens: {@code words}, lower-cased runs of letters and digits (punctuation
   * and spaces separate them and are dropped); {@code whitespace}, the text's whitespace-separated
   * pieces, lower-cased, punctuation kept (text that is already tokenized, one token per tag of a
   * token task).
   */
  public enum TextSplit {
    WORDS,
    WHITESPACE
  }

  /**
   * The format of a pretrained word vectors file: word2vec's, fastText's ({@code .vec}) or GloVe's
   * text ({@code text}), word2vec's binary ({@code binary}), or by the name ({@code auto}: binary
   * when it ends in {@code .bin} or {@code .bin.gz}).
   */
  public enum VectorsFormat {
    AUTO,
    TEXT,
    BINARY
  }

  /**
   * Identifier columns ({@code data.sources[].ids}) to indices of a vocabulary per column, fit on
   * the training split: the values seen at least {@code minCount} times there, the {@code
   * maxVocabulary} most frequent of them; every other value (and a missing one) takes the reserved
   * index 0.
   */
  public record IdFeatures(int minCount, int maxVocabulary) implements Validatable {
    /** The largest vocabulary of one id column: the rows of its embedding table. */
    public static final int MAX_VOCABULARY = 1 << 24;

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          minCount >= 1, Validatable.at(path, "minCount"), "must be >= 1, was " + minCount);
      problems.require(
          maxVocabulary >= 1 && maxVocabulary <= MAX_VOCABULARY,
          Validatable.at(path, "maxVocabulary"),
          "must be in [1, " + MAX_VOCABULARY + "], was " + maxVocabulary);
    }
  }

  /**
   * Text to token ids: how a text is cut into tokens ({@code split}) and whether they are
   * lower-cased, the vocabulary (of words, or
   * words and word pairs), the padded length, and the buckets of the hashed character trigrams that
   * stand for words outside the vocabulary (0: none, such a word is one unknown token).
   */
  public record TextFeatures(
      String maxTokens,
      int vocabularySize,
      int minCount,
      int ngrams,
      int charBuckets,
      TextSplit split,
      boolean lowercase,
      boolean shapes,
      String vectors,
      VectorsFormat vectorsFormat)
      implements Validatable {
    /** Whether pretrained word vectors are given ({@code vectors}: a file's path). */
    public boolean hasVectors() {
      return vectors != null && !vectors.isBlank();
    }

    /** The most token positions a text may take, configured or chosen. */
    public static final int MOST_TOKENS = 1024;

    /** The most buckets of hashed character trigrams: rows of the embedding table. */
    public static final int MOST_CHAR_BUCKETS = 1_000_000;

    /** Whether the token positions are chosen from the training texts ({@code auto}). */
    public boolean autoMaxTokens() {
      return AUTO.equalsIgnoreCase(maxTokens == null ? null : maxTokens.strip());
    }

    /** The configured token positions; 0 for {@code auto} or anything that is not a whole number. */
    public int fixedMaxTokens() {
      try {
        return maxTokens == null ? 0 : Integer.parseInt(maxTokens.strip());
      } catch (NumberFormatException e) {
        return 0;
      }
    }

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          autoMaxTokens() || (fixedMaxTokens() >= 1 && fixedMaxTokens() <= MOST_TOKENS),
          Validatable.at(path, "maxTokens"),
          "must be auto or a whole number in [1, " + MOST_TOKENS + "], was " + maxTokens);
      problems.require(
          vocabularySize >= 1,
          Validatable.at(path, "vocabularySize"),
          "must be >= 1, was " + vocabularySize);
      problems.require(
          minCount >= 1, Validatable.at(path, "minCount"), "must be >= 1, was " + minCount);
      problems.require(
          ngrams == 1 || ngrams == 2,
          Validatable.at(path, "ngrams"),
          "must be 1 (words) or 2 (words and word pairs), was " + ngrams);
      problems.require(
          charBuckets >= 0 && charBuckets <= MOST_CHAR_BUCKETS,
          Validatable.at(path, "charBuckets"),
          "must be in [0, "
              + MOST_CHAR_BUCKETS
              + "] (0: no character trigrams), was "
              + charBuckets);
      problems.require(
          !shapes || !lowercase,
          Validatable.at(path, "shapes"),
          "needs lowercase: false (a lower-cased word has no capitals to show)");
      problems.require(
          !shapes || charBuckets == 0,
          Validatable.at(path, "shapes"),
          "and charBuckets both say what a word outside the vocabulary becomes: choose one");
    }
  }
}
