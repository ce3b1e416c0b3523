package org.mtlspark.prep.source;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Turns the cells of one row of a source, whatever its format, into {@link SourceValues} by the
 * source's configuration, or into a {@link Reject} naming the field and the reason: a missing key,
 * a numeric cell that is not a finite number, an image that does not decode, a label that is not
 * valid for its task type.
 */
public final class RowInterpreter implements Serializable {
  private static final long serialVersionUID = 1L;

  private final SourceConfig source;
  private final List<String> keyColumns;
  private final List<TaskConfig> tasks;
  private final String nullToken;
  private final PrepConfig.ImageFeatures image;
  private final SerializableConf files;
  private final ImageRoots imageRoots;

  /** When scoring, a row need not carry its labels: a missing label column is a missing label. */
  private final boolean labelsOptional;

  /** The folder a {@link Keys#ROW} key names its file relative to (a qualified path), or "" for the file's name. */
  private String rowKeyBase = "";

  /**
   * @param tasks the tasks whose labels come from this source, in task order
   */
  public RowInterpreter(
      SourceConfig source,
      List<String> recordKey,
      List<TaskConfig> tasks,
      String nullToken,
      PrepConfig.ImageFeatures image) {
    this(source, recordKey, tasks, nullToken, image, null, "");
  }

  /**
   * @param files the filesystem configuration to read image files named in an image column
   * @param dataRoot the folder such relative paths are resolved against, and which they may not leave
   *     (unless for one of {@code image.allowedRoots()})
   */
  public RowInterpreter(
      SourceConfig source,
      List<String> recordKey,
      List<TaskConfig> tasks,
      String nullToken,
      PrepConfig.ImageFeatures image,
      SerializableConf files,
      String dataRoot) {
    this(source, recordKey, tasks, nullToken, image, files, dataRoot, false);
  }

  private RowInterpreter(
      SourceConfig source,
      List<String> recordKey,
      List<TaskConfig> tasks,
      String nullToken,
      PrepConfig.ImageFeatures image,
      SerializableConf files,
      String dataRoot,
      boolean labelsOptional) {
    this.labelsOptional = labelsOptional;
    this.files = files;
    this.imageRoots = new ImageRoots(dataRoot, image.allowedRoots());
    this.source = source;
    this.keyColumns = List.copyOf(source.keyColumns(recordKey));
    this.tasks = List.copyOf(tasks);
    this.nullToken = nullToken;
    this.image = image;
  }

  private RowInterpreter(RowInterpreter other, boolean labelsOptional, String rowKeyBase) {
    this.labelsOptional = labelsOptional;
    this.files = other.files;
    this.imageRoots = other.imageRoots;
    this.source = other.source;
    this.keyColumns = other.keyColumns;
    this.tasks = other.tasks;
    this.nullToken = other.nullToken;
    this.image = other.image;
    this.rowKeyBase = rowKeyBase;
  }

  /**
   * The interpreter of {@code source}'s rows under {@code config}: its record key, the tasks whose
   * labels it holds, the null token and the image settings; image paths resolved under {@code
   * dataRoot}.
   */
  public static RowInterpreter of(
      org.mtlspark.config.MtlConfig config,
      SourceConfig source,
      SerializableConf files,
      String dataRoot) {
    return new RowInterpreter(
        source,
        config.data().key(),
        config.tasksOf(source.name()),
        config.data().nullToken(),
        config.prep().image(),
        files,
        dataRoot);
  }

  /**
   * This interpreter for new data to score: label columns are not required, and a row without
   * them has missing labels.
   */
  public RowInterpreter withOptionalLabels() {
    return new RowInterpreter(this, true, rowKeyBase);
  }

  /**
   * This interpreter with the folder that {@link Keys#ROW} keys name files relative to: the
   * source's folder, or the folder of its one file.
   */
  public RowInterpreter withRowKeyBase(String base) {
    return new RowInterpreter(this, labelsOptional, base);
  }

  /**
   * The columns a row of this source must have (its schema or header). With optional labels, a
   * text that a caption task writes is a label too: new records to caption come without it.
   */
  public List<String> requiredColumns() {
    List<String> all = new ArrayList<>(keyColumns);
    all.remove(Keys.ROW);
    all.addAll(source.featureColumns());
    all.addAll(source.ids());
    boolean captionLabel =
        tasks.stream().anyMatch(t -> t.caption() && t.column().equals(source.text()));
    if (!source.text().isEmpty() && !(labelsOptional && captionLabel)) {
      all.add(source.text());
    }
    if (!source.image().isEmpty()) {
      all.add(source.image());
    }
    if (!labelsOptional) {
      tasks.forEach(t -> all.add(t.column()));
    }
    if (!source.timestamp().isEmpty()) {
      all.add(source.timestamp());
    }
    return all.stream().distinct().toList();
  }

  /** The most bytes an encoded image may have ({@code prep.image.maxBytes}). */
  public long maxImageBytes() {
    return image.maxBytes();
  }

  public String sourceName() {
    return source.name();
  }

  public ParsedRow<SourceValues> interpret(String file, long line, Cells cells, String raw) {
    String name = source.name();
    List<String> keyValues = new ArrayList<>(keyColumns.size());
    for (String k : keyColumns) {
      String v = k.equals(Keys.ROW) ? Keys.row(file, rowKeyBase, line) : scalar(cells.get(k));
      if (v == null) {
        return ParsedRow.rejected(
            new Reject(
                name,
                file,
                line,
                keyValues.isEmpty() ? null : Keys.join(keyValues),
                k,
                "missing key",
                raw));
      }
      keyValues.add(v);
    }
    String key = Keys.join(keyValues);

    int plain = source.numeric().size();
    double[] numeric = new double[plain + source.datetime().size() * DateTimes.FEATURES.size()];
    for (int i = 0; i < plain; i++) {
      String column = source.numeric().get(i);
      Object cell = cells.get(column);
      if (cell instanceof Number n) {
        numeric[i] = n.doubleValue();
        if (!Double.isFinite(numeric[i])) {
          return reject(file, line, key, column, "not a finite number: \"" + cell + "\"", raw);
        }
        continue;
      }
      String v = scalar(cell);
      numeric[i] = v == null ? Double.NaN : parseFinite(v);
      if (v != null && Double.isNaN(numeric[i])) {
        return reject(file, line, key, column, "not a finite number: \"" + v + "\"", raw);
      }
    }

    for (int d = 0; d < source.datetime().size(); d++) {
      String column = source.datetime().get(d);
      Object cell = cells.get(column);
      DateTimes.Moment moment =
          cell instanceof List<?> || cell instanceof byte[]
              ? null
              : DateTimes.parse(
                  cell instanceof String text && text.trim().equals(nullToken) ? null : cell,
                  source.dateFormats().get(column));
      DateTimes.features(moment, numeric, plain + d * DateTimes.FEATURES.size());
    }

    List<String> categoricalColumns = new ArrayList<>(source.categorical());
    categoricalColumns.addAll(source.hashed());
    categoricalColumns.addAll(source.ids());
    String[] categorical = new String[categoricalColumns.size()];
    for (int i = 0; i < categorical.length; i++) {
      Object cell = cells.get(categoricalColumns.get(i));
      if (cell instanceof List<?> || cell instanceof byte[]) {
        return reject(file, line, key, categoricalColumns.get(i), "not a single value", raw);
      }
      categorical[i] = scalar(cell);
    }

    String text = null;
    if (!source.text().isEmpty()) {
      Object cell = cells.get(source.text());
      if (cell instanceof List<?> || cell instanceof byte[]) {
        return reject(file, line, key, source.text(), "not a string", raw);
      }
      text = cell == null ? null : String.valueOf(cell);
      text = text == null || text.isBlank() || text.equals(nullToken) ? null : text;
    }

    byte[] pixels = null;
    if (source.hasImage()) {
      String column = source.format() == SourceConfig.Format.IMAGES ? "(file)" : source.image();
      Object cell =
          cells.get(
              source.format() == SourceConfig.Format.IMAGES ? ImageFolderReader.BYTES : column);
      String imagePath = cell instanceof byte[] || cell == null ? null : scalar(cell);
      if (imagePath != null) {
        if (files == null) {
          return reject(
              file, line, key, column, "an image path, but no filesystem to read it from", raw);
        }
        org.apache.hadoop.fs.Path resolved;
        try {
          resolved = imageRoots.resolve(imagePath, files.get());
        } catch (IllegalArgumentException e) {
          return reject(file, line, key, column, e.getMessage(), raw);
        } catch (java.io.IOException e) {
          return reject(
              file,
              line,
              key,
              column,
              "cannot read image file " + imagePath + ": " + e.getMessage(),
              raw);
        }
        try (java.io.InputStream in = resolved.getFileSystem(files.get()).open(resolved)) {
          cell = ImageDecoder.readAtMost(in, image.maxBytes());
        } catch (java.io.IOException e) {
          return reject(
              file,
              line,
              key,
              column,
              "cannot read image file " + resolved + ": " + e.getMessage(),
              raw);
        } catch (IllegalArgumentException e) {
          return reject(
              file, line, key, column, "image file \"" + imagePath + "\": " + e.getMessage(), raw);
        }
      }
      if (cell != null && !(cell instanceof byte[])) {
        return reject(file, line, key, column, "not binary image data", raw);
      }
      if (cell != null) {
        try {
          ImageDecoder.checkSize((byte[]) cell, image.maxBytes());
          pixels =
              ImageDecoder.pixels(
                  (byte[]) cell,
                  image.width(),
                  image.height(),
                  image.channels(),
                  image.maxPixels());
        } catch (IllegalArgumentException e) {
          return reject(
              file,
              line,
              key,
              column,
              (imagePath == null ? "" : "image file \"" + imagePath + "\": ") + e.getMessage(),
              raw);
        }
      }
    }

    String[] labels = new String[tasks.size()];
    for (int t = 0; t < labels.length; t++) {
      TaskConfig task = tasks.get(t);
      Object cell = cells.get(task.column());
      if (cell instanceof List<?> list && task.type() == TaskConfig.TaskType.MULTILABEL) {
        labels[t] = multiLabel(list.stream().map(String::valueOf).toList());
        continue;
      }
      String v = scalar(cell);
      if (v == null) {
        continue;
      }
      String extracted = task.extract(v);
      if (extracted == null) {
        return reject(
            file,
            line,
            key,
            task.column(),
            "pattern \""
                + task.pattern()
                + "\" of task "
                + task.name()
                + " finds nothing in \""
                + v
                + "\"",
            raw);
      }
      v = extracted;
      labels[t] = normalize(task, v);
      if (labels[t] == null) {
        return reject(file, line, key, task.column(), invalidReason(task) + ": \"" + v + "\"", raw);
      }
    }

    String timestamp = null;
    if (!source.timestamp().isEmpty()) {
      Object cell = cells.get(source.timestamp());
      String typed = Timestamps.text(cell);
      timestamp = typed != null ? typed : scalar(cell);
    }
    if (timestamp != null && Double.isNaN(Timestamps.value(timestamp))) {
      return reject(
          file,
          line,
          key,
          source.timestamp(),
          "not a timestamp (a number, or a date as ISO-8601 text): \"" + timestamp + "\"",
          raw);
    }
    return ParsedRow.ok(
        key, file, line, new SourceValues(numeric, categorical, text, pixels, labels, timestamp));
  }

  private ParsedRow<SourceValues> reject(
      String file, long line, String key, String field, String reason, String raw) {
    return ParsedRow.rejected(new Reject(source.name(), file, line, key, field, reason, raw));
  }

  /** The cell as trimmed text, or null when it is missing, blank or the null token. */
  private String scalar(Object cell) {
    if (cell == null || cell instanceof List<?> || cell instanceof byte[]) {
      return null;
    }
    String s;
    if (cell instanceof Double d && d == Math.rint(d) && Math.abs(d) < 1e15) {
      s = Long.toString(d.longValue());
    } else {
      s = String.valueOf(cell).trim();
    }
    return s.isEmpty() || s.equals(nullToken) ? null : s;
  }

  /** The cell as the task's canonical label, or null when it is not a valid label of that type. */
  static String normalize(TaskConfig task, String cell) {
    switch (task.type()) {
      case REGRESSION:
        double v = parseFinite(cell);
        return Double.isNaN(v) || Double.isNaN(task.transform().apply(v))
            ? null
            : Double.toString(v);
      case BINARY:
        return binary(task, cell);
      case ORDINAL:
        for (String c : task.classes()) {
          if (c.trim().equalsIgnoreCase(cell)) {
            return c;
          }
        }
        return null;
      case MULTILABEL:
        return multiLabel(List.of(cell.split(java.util.regex.Pattern.quote(task.separator()), -1)));
      case TOKENS:
      case CAPTION:
        return cell.isBlank() ? null : String.join(" ", cell.strip().split("\\s+"));
      default:
        return cell;
    }
  }

  /**
   * A multi-label cell in canonical form: the distinct, trimmed, non-empty labels, sorted, joined by
   * {@link Keys#SEPARATOR}. No labels at all is an empty string (a labelled row with no positive).
   */
  static String multiLabel(List<String> labels) {
    TreeSet<String> set = new TreeSet<>();
    for (String l : labels) {
      if (!l.isBlank()) {
        set.add(l.trim());
      }
    }
    return String.join(String.valueOf(Keys.SEPARATOR), set);
  }

  /**
   * A binary cell as "1" or "0". Without a configured positive value: the usual spellings, in any
   * case (yes/no, y/n, true/false, t/f, 1/0, 1.0/0.0). With one: the positive value is "1"; the
   * configured negative value is "0", or, when none is configured, every other value is. A value
   * is the configured one when it is equal ignoring case, or when both are spellings of the same
   * truth value (so {@code positive: yes}, which YAML reads as true, matches "yes", "Y" and "1").
   * Null when the cell is not a label of the task.
   */
  static String binary(TaskConfig task, String cell) {
    if (task.positive().isEmpty()) {
      return truth(cell);
    }
    if (sameValue(cell, task.positive())) {
      return "1";
    }
    return task.negative().isEmpty() || sameValue(cell, task.negative()) ? "0" : null;
  }

  private static boolean sameValue(String cell, String configured) {
    String c = configured.trim();
    return cell.equalsIgnoreCase(c) || (truth(cell) != null && truth(cell).equals(truth(c)));
  }

  /** "1" or "0" for the usual spellings of true and false, in any case; null for anything else. */
  static String truth(String cell) {
    switch (cell.toLowerCase(Locale.ROOT)) {
      case "1":
      case "1.0":
      case "true":
      case "t":
      case "yes":
      case "y":
        return "1";
      case "0":
      case "0.0":
      case "false":
      case "f":
      case "no":
      case "n":
        return "0";
      default:
        return null;
    }
  }

  private static String invalidReason(TaskConfig task) {
    if (task.type() == TaskConfig.TaskType.REGRESSION) {
      return task.transform() == TaskConfig.Transform.LOG1P
          ? "not a label for transform log1p (a finite number above -1)"
          : "not a finite number";
    }
    if (task.type() == TaskConfig.TaskType.ORDINAL) {
      return "not one of the classes (" + String.join(", ", task.classes()) + ")";
    }
    if (!task.positive().isEmpty()) {
      return "neither the positive nor the negative value (positive \""
          + task.positive()
          + "\", negative \""
          + task.negative()
          + "\")";
    }
    return "not a binary label (yes/no, y/n, true/false, t/f, 1/0)";
  }

  /** The number in {@code cell}, or NaN when it is not a finite number. */
  static double parseFinite(String cell) {
    try {
      double v = Double.parseDouble(cell);
      return Double.isFinite(v) ? v : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
