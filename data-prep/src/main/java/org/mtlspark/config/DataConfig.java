package org.mtlspark.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the sources are and what they hold. Source paths are relative to {@code root} unless they
 * carry a scheme ({@code hdfs:}, {@code file:}, ...) or start with '/'.
 */
public record DataConfig(
    String root,
    String key,
    String nullToken,
    TabularSource tabular,
    TextSource text,
    ImageSource image,
    LabelSource labels)
    implements Validatable {

  @Override
  public void validate(String path, Problems problems) {
    problems.require(!key.isBlank(), Validatable.at(path, "key"), "must not be empty");
    Set<String> seen = new HashSet<>();
    List<String> all = new java.util.ArrayList<>(tabular.numeric());
    all.addAll(tabular.categorical());
    for (String c : all) {
      problems.require(seen.add(c), Validatable.at(path, "tabular"), "column \"" + c + "\" is listed twice");
      problems.require(!c.equals(key), Validatable.at(path, "tabular"), "the key column \"" + key + "\" cannot be a feature");
    }
  }

  /** A CSV source with a header row: the key column, numeric and categorical columns. */
  public record TabularSource(String path, List<String> numeric, List<String> categorical) implements Validatable {
    @Override
    public void validate(String path, Problems problems) {
      problems.require(!this.path.isBlank(), Validatable.at(path, "path"), "must not be empty");
      problems.require(!numeric.isEmpty() || !categorical.isEmpty(), path,
          "needs at least one numeric or categorical column");
    }
  }

  /** A JSON-lines source: one object per line with the key and a text field. */
  public record TextSource(String path, String field) implements Validatable {
    @Override
    public void validate(String path, Problems problems) {
      problems.require(!this.path.isBlank(), Validatable.at(path, "path"), "must not be empty");
      problems.require(!field.isBlank(), Validatable.at(path, "field"), "must not be empty");
    }
  }

  /** A Parquet source of grey images: the key and a binary column of width*height pixel bytes. */
  public record ImageSource(String path, String field, int width, int height) implements Validatable {
    @Override
    public void validate(String path, Problems problems) {
      problems.require(!this.path.isBlank(), Validatable.at(path, "path"), "must not be empty");
      problems.require(width >= 4 && width <= 512, Validatable.at(path, "width"), "must be in [4, 512], was " + width);
      problems.require(height >= 4 && height <= 512, Validatable.at(path, "height"), "must be in [4, 512], was " + height);
    }
  }

  /** A CSV source with a header row: the key and one column per task; an empty cell is a missing label. */
  public record LabelSource(String path) implements Validatable {
    @Override
    public void validate(String path, Problems problems) {
      problems.require(!this.path.isBlank(), Validatable.at(path, "path"), "must not be empty");
    }
  }
}
