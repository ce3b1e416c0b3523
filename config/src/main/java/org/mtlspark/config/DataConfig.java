package org.mtlspark.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the sources are and how they align. Source paths are relative to {@code root} unless they
 * carry a scheme ({@code hdfs:}, {@code file:}, ...) or start with '/'. A record is one value of
 * {@code key} (one or more columns) found in any source keyed by the whole key. A table without a
 * key column is keyed by {@value #ROW}, the place of each row.
 */
public record DataConfig(
    String root, List<String> key, String nullToken, List<SourceConfig> sources)
    implements Validatable {

  /**
   * The built-in key column of a table that has none: each row's file and starting line (see
   * {@code org.mtlspark.prep.source.Keys#ROW}).
   */
  public static final String ROW = "_row";

  @Override
  public void validate(String path, Problems problems) {
    problems.require(!key.isEmpty(), Validatable.at(path, "key"), "needs at least one column");
    problems.require(
        new HashSet<>(key).size() == key.size(),
        Validatable.at(path, "key"),
        "lists a column twice: " + key);
    problems.require(
        !sources.isEmpty(), Validatable.at(path, "sources"), "at least one source is required");
    Set<String> names = new HashSet<>();
    int full = 0;
    int texts = 0;
    int images = 0;
    for (int i = 0; i < sources.size(); i++) {
      SourceConfig s = sources.get(i);
      String at = Validatable.at(path, "sources[" + i + "]");
      problems.require(
          names.add(s.name()),
          Validatable.at(at, "name"),
          "duplicate source name \"" + s.name() + "\"");
      List<String> k = s.keyColumns(key);
      problems.require(
          key.containsAll(k),
          Validatable.at(at, "key"),
          "must be data.key " + key + " or a part of it, was " + k);
      if (k.contains(ROW)) {
        problems.require(
            isRecordSource(s),
            Validatable.at(at, "key"),
            ROW + " (a row's file and line) keys only a source keyed by the whole key");
        problems.require(
            s.format() == SourceConfig.Format.CSV || s.format() == SourceConfig.Format.JSON,
            Validatable.at(at, "format"),
            ROW
                + " (a row's file and line) needs a csv or json source, was "
                + s.format().name().toLowerCase(java.util.Locale.ROOT));
      }
      full += isRecordSource(s) ? 1 : 0;
      texts += s.text().isEmpty() ? 0 : 1;
      images += s.hasImage() ? 1 : 0;
    }
    boolean nearest = sources.stream().anyMatch(s -> s.align() == SourceConfig.Align.NEAREST);
    problems.require(
        !nearest || recordTimeSource() != null,
        Validatable.at(path, "sources"),
        "align: nearest needs the record's time: give a timestamp to a source keyed by the whole key "
            + key);
    problems.require(
        sources.isEmpty() || full > 0,
        Validatable.at(path, "sources"),
        "no source is keyed by the whole key " + key + ": records come from such sources");
    problems.require(
        texts <= 1,
        Validatable.at(path, "sources"),
        "at most one source may have a text column, found " + texts);
    problems.require(
        images <= 1,
        Validatable.at(path, "sources"),
        "at most one source may hold images, found " + images);
  }

  /**
   * The source whose timestamp is the record's time: the first source keyed by the whole key
   * that aligns exactly and has a timestamp column; null when there is none.
   */
  public SourceConfig recordTimeSource() {
    return sources.stream()
        .filter(s -> isRecordSource(s) && !s.timestamp().isEmpty())
        .findFirst()
        .orElse(null);
  }

  /**
   * Whether a source contributes records: keyed by the whole key and aligned exactly. The others
   * (keyed by a part of it, or aligned nearest in time) only add to records.
   */
  public boolean isRecordSource(SourceConfig s) {
    return s.keyColumns(key).size() == key.size() && s.align() == SourceConfig.Align.EXACT;
  }

  /**
   * Whether a source reads files by a path (under the data root, unless absolute); sources that
   * are tables, or that Spark reads without a path, need no data root.
   */
  public boolean readsFiles() {
    return sources.stream().anyMatch(s -> !s.path().isBlank());
  }

  /** The source with this name. */
  public SourceConfig source(String name) {
    return sources.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no source named " + name));
  }

  public boolean hasSource(String name) {
    return sources.stream().anyMatch(s -> s.name().equals(name));
  }
}
