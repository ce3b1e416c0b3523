package org.mtlspark.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One input source: where its files are, their format, the key columns that align it with the
 * others, the policies for duplicate keys and for records it has no row for, and which of its
 * columns become features. Labels are taken from a source by the tasks that name it.
 *
 * <p>A source whose {@code key} is the whole record key ({@code data.key}, the default) contributes
 * records; a source keyed by a part of it enriches records many-to-one (e.g. movies by
 * {@code movieId} onto ratings keyed by {@code userId, movieId}).
 */
public record SourceConfig(
    String name,
    Format format,
    String path,
    List<String> key,
    Duplicates duplicates,
    String timestamp,
    Align align,
    double tolerance,
    boolean allowFuture,
    Missing missing,
    List<String> numeric,
    List<String> categorical,
    List<String> hashed,
    String text,
    String image)
    implements Validatable {

  /** How a source's files are read. */
  public enum Format {
    /** CSV with a header row; quoted cells may hold the separator, quotes and line breaks are not split. */
    CSV,
    /** JSON lines: one object per line. */
    JSON,
    /** Parquet files (any writer); columns by name. */
    PARQUET,
    /** A folder of image files (PNG, JPEG, GIF, BMP); the key is the file name without its extension. */
    IMAGES,
    /**
     * MultiMNIST built from MNIST-format IDX files (MNIST, Fashion-MNIST): two items overlaid in a
     * 36x36 image; columns part, index, left, right and image (see the reader).
     */
    MULTIMNIST
  }

  /** What to do when several rows of this source have the same key; every extra row is counted. */
  public enum Duplicates {
    /** Stop prep with the key and both rows' places. */
    FAIL,
    /** Keep the first row in (file, line) order. */
    FIRST,
    /** Keep the row with the greatest {@code timestamp} (ties: the first). */
    LATEST
  }

  /** How a source's rows are matched to records. */
  public enum Align {
    /** By key (the whole key, or the part the source is keyed by). */
    EXACT,
    /**
     * By key, then by time: the record takes the row whose timestamp is closest to the record's
     * time, within {@code tolerance}, and not after it unless {@code allowFuture}.
     */
    NEAREST
  }

  /** What to do with a record this source has no row for. */
  public enum Missing {
    /** Keep the record: the source's features are zero-filled and the modality's presence flag says so. */
    ZERO,
    /** Drop the record (counted in the manifest as dropped for this source). */
    DROP
  }

  /** Values for keys a source may leave out. */
  public static Map<String, Object> defaults() {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("key", List.of());
    d.put("duplicates", "first");
    d.put("timestamp", "");
    d.put("align", "exact");
    d.put("tolerance", 0.0);
    d.put("allowFuture", false);
    d.put("missing", "zero");
    d.put("numeric", List.of());
    d.put("categorical", List.of());
    d.put("hashed", List.of());
    d.put("text", "");
    d.put("image", "");
    return d;
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(name.matches("[A-Za-z][A-Za-z0-9_]*"), Validatable.at(path, "name"),
        "must start with a letter and hold only letters, digits and '_', was \"" + name + "\"");
    problems.require(!this.path.isBlank(), Validatable.at(path, "path"), "must not be empty");
    problems.require(duplicates != Duplicates.LATEST || !timestamp.isBlank(), Validatable.at(path, "timestamp"),
        "duplicates: latest needs a timestamp column");
    if (align == Align.NEAREST) {
      problems.require(!timestamp.isBlank(), Validatable.at(path, "timestamp"), "align: nearest needs a timestamp column");
      problems.require(tolerance > 0 && Double.isFinite(tolerance), Validatable.at(path, "tolerance"),
          "align: nearest needs a tolerance > 0 (in the timestamp's unit; seconds for ISO-8601 text), was "
              + tolerance);
      problems.require(duplicates != Duplicates.FAIL, Validatable.at(path, "duplicates"),
          "a nearest-in-time source has many rows per key by design; use first or latest for rows with one key and "
              + "one timestamp");
    }
    Set<String> seen = new HashSet<>();
    for (String c : featureColumns()) {
      problems.require(seen.add(c), path, "column \"" + c + "\" is listed twice among its features");
    }
    problems.require(text.isEmpty() || seen.add(text), Validatable.at(path, "text"),
        "column \"" + text + "\" is already a feature");
    if (format == Format.IMAGES) {
      problems.require(featureColumns().isEmpty() && text.isEmpty() && image.isEmpty(), path,
          "an images source holds only images: leave numeric, categorical, hashed, text and image empty");
      problems.require(key.size() <= 1, Validatable.at(path, "key"),
          "an images source is keyed by its file names: one key column at most, was " + key);
    }
    if (format == Format.MULTIMNIST) {
      problems.require(featureColumns().isEmpty() && text.isEmpty(), path,
          "a multimnist source holds only its image: leave numeric, categorical, hashed and text empty");
    }
  }

  /** Numeric, categorical and hashed columns, in that order. */
  public List<String> featureColumns() {
    List<String> all = new java.util.ArrayList<>(numeric);
    all.addAll(categorical);
    all.addAll(hashed);
    return all;
  }

  /** The key columns of this source, given the record key. */
  public List<String> keyColumns(List<String> recordKey) {
    return key.isEmpty() ? recordKey : key;
  }

  /** Whether this source carries features for the model (as opposed to labels only). */
  public boolean hasFeatures() {
    return !featureColumns().isEmpty() || !text.isEmpty() || !image.isEmpty() || format == Format.IMAGES;
  }

  /** Whether this source holds the image modality. */
  public boolean hasImage() {
    return !image.isEmpty() || format == Format.IMAGES;
  }
}
