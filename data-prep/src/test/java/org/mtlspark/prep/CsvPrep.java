package org.mtlspark.prep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.prep.manifest.Manifest;

/** A whole prep of one CSV file built by a test: {@code dir/data/<file>} into {@code dir/prep}. */
final class CsvPrep {
  private CsvPrep() {}

  static Manifest run(
      SparkSession spark, Path dir, String experiment, String file, List<String> lines)
      throws IOException {
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data").resolve(file), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    return new PrepJob(spark)
        .run(
            ConfigLoader.fromYaml(experiment, file + ".yaml"),
            dir.resolve("data").toString(),
            dir.resolve("prep").toString());
  }
}
