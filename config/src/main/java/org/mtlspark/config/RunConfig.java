package org.mtlspark.config;

/** Identity and randomness of a run. */
public record RunConfig(String name, long seed) implements Validatable {
  @Override
  public void validate(String path, Problems problems) {
    problems.require(
        name.matches("[A-Za-z0-9._-]+"),
        Validatable.at(path, "name"),
        "must be letters, digits, '.', '_' or '-', was \"" + name + "\"");
  }
}
