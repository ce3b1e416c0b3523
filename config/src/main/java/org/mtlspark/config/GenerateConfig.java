package org.mtlspark.config;

/** The built-in data generator: size, seed and how imperfect the data is. */
public record GenerateConfig(
    long rows,
    long seed,
    int files,
    double missingModalityRate,
    double missingLabelRate,
    double malformedRate,
    double noise,
    boolean images)
    implements Validatable {

  @Override
  public void validate(String path, Problems problems) {
    problems.require(rows >= 1, Validatable.at(path, "rows"), "must be >= 1, was " + rows);
    problems.require(
        files >= 1 && files <= 10000,
        Validatable.at(path, "files"),
        "must be in [1, 10000], was " + files);
    rate(missingModalityRate, Validatable.at(path, "missingModalityRate"), problems);
    rate(missingLabelRate, Validatable.at(path, "missingLabelRate"), problems);
    rate(malformedRate, Validatable.at(path, "malformedRate"), problems);
    problems.require(noise >= 0, Validatable.at(path, "noise"), "must be >= 0, was " + noise);
  }

  private static void rate(double r, String path, Problems problems) {
    problems.require(r >= 0 && r < 0.5, path, "must be in [0, 0.5), was " + r);
  }
}
