package org.mtlspark.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Collects every problem of a configuration, each prefixed by the path of the value it concerns. */
public final class Problems {
  private final List<String> messages = new ArrayList<>();

  public void add(String path, String message) {
    messages.add(path.isEmpty() ? message : path + ": " + message);
  }

  /** Adds a problem when {@code ok} is false. */
  public void require(boolean ok, String path, String message) {
    if (!ok) {
      add(path, message);
    }
  }

  public boolean isEmpty() {
    return messages.isEmpty();
  }

  public List<String> messages() {
    return Collections.unmodifiableList(messages);
  }

  /** Throws a {@link ConfigException} naming the source and listing every problem, if there is any. */
  public void throwIfAny(String source) {
    if (!messages.isEmpty()) {
      throw new ConfigException(source, messages);
    }
  }
}
