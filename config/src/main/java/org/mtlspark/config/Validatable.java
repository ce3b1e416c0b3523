package org.mtlspark.config;

/** A configuration record that checks its own values once it is bound. */
public interface Validatable extends java.io.Serializable {
  /**
   * Adds a problem for every invalid value.
   *
   * @param path the path of this record in the configuration tree, e.g. {@code tasks[1]}
   */
  void validate(String path, Problems problems);

  /** Joins a record path and a key. */
  static String at(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }
}
