package org.mtlspark.config;

import java.util.List;

/** A configuration that cannot be used; the message lists every problem found, one per line. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final List<String> problems;

  public ConfigException(String source, List<String> problems) {
    super(format(source, problems));
    this.source = source;
    this.problems = List.copyOf(problems);
  }

  /** What was invalid: the configuration's name, or the setting whose value was refused. */
  public String source() {
    return source;
  }

  public List<String> problems() {
    return problems;
  }

  private static String format(String source, List<String> problems) {
    StringBuilder sb = new StringBuilder();
    sb.append("invalid configuration ")
        .append(source)
        .append(" (")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem" : " problems")
        .append("):");
    for (String p : problems) {
      sb.append(System.lineSeparator()).append("  - ").append(p);
    }
    return sb.toString();
  }
}
