package org.mtlspark.config;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One input source: where its files (or its table) are, their format, the key columns that align it with the
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
    List<String> ids,
    String text,
    String image,
    List<String> datetime,
    Map<String, String> dateFormats,
    String delimiter,
    String quote,
    String escape,
    String encoding,
    List<String> columns,
    Items items,
    String table,
    String where,
    String reader,
    Map<String, String> options)
    implements Validatable {

  /**
   * What a multimnist source's IDX files hold, which names the classes in its captions and
   * questions: MNIST's digits, or Fashion-MNIST's clothes ("is there a shoe ?").
   */
  public enum Items {
    DIGITS,
    FASHION
  }

  /** The names of a CoNLL-U file's ten fields, the {@code columns} of a conll source by default. */
  public static final List<String> CONLLU_COLUMNS =
      List.of("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc");

  /** How a source's files are read. */
  public enum Format {
    /**
     * CSV with a header record, RFC 4180 quoting (a quoted cell may hold the delimiter, line breaks
     * and doubled quotes), in the source's delimiter, quote, escape and encoding.
     */
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
    MULTIMNIST,
    /**
     * CoNLL-style token files (CoNLL-U, CoNLL-2003, IOB2): a token a line, its fields separated by
     * tabs and named by {@code columns}; sentences separated by blank lines; {@code # key = value}
     * lines before a sentence are its metadata. A sentence is one row: each named field becomes a
     * cell holding the sentence's values of that field joined by single spaces, each metadata key a
     * cell of its own (e.g. {@code sent_id}).
     */
    CONLL,
    /**
     * A table of the session's catalog (a Hive metastore, Spark's own, or another catalog Spark is
     * configured with), named by {@code table}; {@code where} filters its rows (e.g. a partition).
     */
    TABLE,
    /**
     * Anything {@code spark.read} reads: {@code reader} names the format (orc, avro, jdbc, delta,
     * ...: on the classpath), {@code options} its options, {@code path} (optional) what it loads;
     * {@code where} filters the rows.
     */
    SPARK;

    /** Whether Spark reads this format into a DataFrame by name, rather than the project reading files. */
    public boolean bySpark() {
      return this == TABLE || this == SPARK;
    }
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
    d.put("path", "");
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
    d.put("ids", List.of());
    d.put("text", "");
    d.put("image", "");
    d.put("datetime", List.of());
    d.put("dateFormats", Map.of());
    d.put("delimiter", ",");
    d.put("quote", "\"");
    d.put("escape", "");
    d.put("encoding", "UTF-8");
    d.put("columns", List.of());
    d.put("items", "digits");
    d.put("table", "");
    d.put("where", "");
    d.put("reader", "");
    d.put("options", Map.of());
    return d;
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(
        name.matches("[A-Za-z][A-Za-z0-9_]*"),
        Validatable.at(path, "name"),
        "must start with a letter and hold only letters, digits and '_', was \"" + name + "\"");
    problems.require(
        !this.path.isBlank() || format.bySpark(),
        Validatable.at(path, "path"),
        "must not be empty");
    if (format == Format.TABLE) {
      problems.require(
          table.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*){0,2}"),
          Validatable.at(path, "table"),
          "a table source names its table (TABLE, DATABASE.TABLE or CATALOG.DATABASE.TABLE), was \""
              + table
              + "\"");
      problems.require(
          this.path.isBlank(),
          Validatable.at(path, "path"),
          "a table source reads its table, not a path; leave path out");
    } else {
      problems.require(
          table.isEmpty(),
          Validatable.at(path, "table"),
          "names the table of a table source; source " + name + " is " + format);
    }
    if (format == Format.SPARK) {
      problems.require(
          reader.matches("[A-Za-z][A-Za-z0-9_.\\-]*"),
          Validatable.at(path, "reader"),
          "a spark source names the spark.read format it reads (orc, avro, jdbc, ...), was \""
              + reader
              + "\"");
    } else {
      problems.require(
          reader.isEmpty() && options.isEmpty(),
          Validatable.at(path, reader.isEmpty() ? "options" : "reader"),
          "set the format and options of a spark source; source " + name + " is " + format);
    }
    problems.require(
        where.isEmpty() || format.bySpark(),
        Validatable.at(path, "where"),
        "filters the rows of a table or spark source; source " + name + " is " + format);
    problems.require(
        duplicates != Duplicates.LATEST || !timestamp.isBlank(),
        Validatable.at(path, "timestamp"),
        "duplicates: latest needs a timestamp column");
    if (align == Align.NEAREST) {
      problems.require(
          !timestamp.isBlank(),
          Validatable.at(path, "timestamp"),
          "align: nearest needs a timestamp column");
      problems.require(
          tolerance > 0 && Double.isFinite(tolerance),
          Validatable.at(path, "tolerance"),
          "align: nearest needs a tolerance > 0 (in the timestamp's unit; seconds for ISO-8601 text), was "
              + tolerance);
      problems.require(
          duplicates != Duplicates.FAIL,
          Validatable.at(path, "duplicates"),
          "a nearest-in-time source has many rows per key by design; use first or latest for rows with one key and "
              + "one timestamp");
    }
    Set<String> seen = new HashSet<>();
    for (String c : featureColumns()) {
      problems.require(
          seen.add(c), path, "column \"" + c + "\" is listed twice among its features");
    }
    for (String c : ids) {
      problems.require(
          seen.add(c),
          Validatable.at(path, "ids"),
          "column \"" + c + "\" is listed twice among its features");
    }
    problems.require(
        text.isEmpty() || seen.add(text),
        Validatable.at(path, "text"),
        "column \"" + text + "\" is already a feature");
    for (String f : dateFormats.keySet()) {
      problems.require(
          datetime.contains(f),
          Validatable.at(path, "dateFormats"),
          "column \"" + f + "\" is not listed in datetime " + datetime);
    }
    dateFormats.forEach(
        (column, pattern) ->
            problems.require(
                validDatePattern(pattern),
                Validatable.at(path, "dateFormats." + column),
                "not a date pattern (java.time letters such as "
                    + "\"MMM d yyyy\" or \"dd/MM/yyyy HH:mm\", or epoch_seconds, epoch_millis), was \""
                    + pattern
                    + "\""));
    problems.require(
        validCsvChar(delimiter),
        Validatable.at(path, "delimiter"),
        "must be one character (or \\t, tab), was \"" + delimiter + "\"");
    problems.require(
        validCsvChar(quote),
        Validatable.at(path, "quote"),
        "must be one character, was \"" + quote + "\"");
    problems.require(
        escape.isEmpty() || validCsvChar(escape),
        Validatable.at(path, "escape"),
        "must be empty (quotes are doubled) or one character, was \"" + escape + "\"");
    problems.require(
        !validCsvChar(delimiter) || !validCsvChar(quote) || csvChar(delimiter) != csvChar(quote),
        Validatable.at(path, "quote"),
        "must differ from the delimiter");
    problems.require(
        supportedCharset(encoding),
        Validatable.at(path, "encoding"),
        "not a character encoding this JVM knows (e.g. UTF-8, ISO-8859-1, windows-1252, UTF-16), was \""
            + encoding
            + "\"");
    if (format == Format.IMAGES) {
      problems.require(
          featureColumns().isEmpty() && ids.isEmpty() && text.isEmpty() && image.isEmpty(),
          path,
          "an images source holds only images: leave numeric, datetime, categorical, hashed, ids, text and image empty");
      problems.require(
          key.size() <= 1,
          Validatable.at(path, "key"),
          "an images source is keyed by its file names: one key column at most, was " + key);
    }
    problems.require(
        columns.isEmpty() || format == Format.CONLL,
        Validatable.at(path, "columns"),
        "names the fields of a conll source's lines; source " + name + " is " + format);
    problems.require(
        new HashSet<>(columns).size() == columns.size(),
        Validatable.at(path, "columns"),
        "must be distinct, was " + columns);
    problems.require(
        items == Items.DIGITS || format == Format.MULTIMNIST,
        Validatable.at(path, "items"),
        "names what a multimnist source's files hold; source " + name + " is " + format);
    if (format == Format.MULTIMNIST) {
      problems.require(
          featureColumns().isEmpty()
              && ids.isEmpty()
              && (text.isEmpty() || List.of("caption", "description", "question").contains(text)),
          path,
          "a multimnist source holds its image, a caption, a description and a question: leave"
              + " numeric, categorical, hashed and ids empty, and text empty, caption, description"
              + " or question");
    }
  }

  /**
   * Numeric, datetime, categorical and hashed columns, in that order: the tabular ones (identifier
   * columns, {@code ids}, are a modality of their own).
   */
  public List<String> featureColumns() {
    List<String> all = new java.util.ArrayList<>(numeric);
    all.addAll(datetime);
    all.addAll(categorical);
    all.addAll(hashed);
    return all;
  }

  /** The character a CSV option names: itself, or a tab for {@code \t} and {@code tab}. */
  public static char csvChar(String option) {
    return option.equals("\\t") || option.equalsIgnoreCase("tab") ? '\t' : option.charAt(0);
  }

  private static boolean validCsvChar(String option) {
    return option.length() == 1 && option.charAt(0) != '\n' && option.charAt(0) != '\r'
        || option.equals("\\t")
        || option.equalsIgnoreCase("tab");
  }

  /** The word for date cells that are epoch seconds (or milliseconds), in {@code dateFormats}. */
  public static final String EPOCH_SECONDS = "epoch_seconds";

  public static final String EPOCH_MILLIS = "epoch_millis";

  private static boolean validDatePattern(String pattern) {
    if (pattern.equals(EPOCH_SECONDS) || pattern.equals(EPOCH_MILLIS)) {
      return true;
    }
    try {
      java.time.format.DateTimeFormatter.ofPattern(pattern);
      return !pattern.isBlank();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean supportedCharset(String name) {
    try {
      return java.nio.charset.Charset.isSupported(name);
    } catch (java.nio.charset.IllegalCharsetNameException e) {
      return false;
    }
  }

  /** This source with another condition on its rows ({@code where}). */
  public SourceConfig withWhere(String condition) {
    return new SourceConfig(
        name,
        format,
        path,
        key,
        duplicates,
        timestamp,
        align,
        tolerance,
        allowFuture,
        missing,
        numeric,
        categorical,
        hashed,
        ids,
        text,
        image,
        datetime,
        dateFormats,
        delimiter,
        quote,
        escape,
        encoding,
        columns,
        items,
        table,
        condition,
        reader,
        options);
  }

  /** The key columns of this source, given the record key. */
  public List<String> keyColumns(List<String> recordKey) {
    return key.isEmpty() ? recordKey : key;
  }

  /** Whether this source carries features for the model (as opposed to labels only). */
  public boolean hasFeatures() {
    return !featureColumns().isEmpty()
        || !ids.isEmpty()
        || !text.isEmpty()
        || !image.isEmpty()
        || format == Format.IMAGES;
  }

  /** The field names of a conll source's lines: {@code columns}, or CoNLL-U's ten. */
  public List<String> conllColumns() {
    return columns.isEmpty() ? CONLLU_COLUMNS : columns;
  }

  /** Whether this source holds the image modality. */
  public boolean hasImage() {
    return !image.isEmpty() || format == Format.IMAGES;
  }
}
