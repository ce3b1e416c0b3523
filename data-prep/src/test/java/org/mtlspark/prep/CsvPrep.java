package org.mtlspark.prep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;

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

  /** The featurizer state as the manifest in {@code dir/prep} holds it, read back. */
  static FeaturizerState readState(SparkSession spark, Path dir) throws IOException {
    return Manifest.read(spark.sparkContext().hadoopConfiguration(), dir.resolve("prep").toString())
        .featurizers();
  }

  /** One input array of each example of a split, by the key as displayed ({@code "s1, test"}). */
  static <T> Map<String, List<T>> examples(
      SparkSession spark, Path dir, String split, String input) {
    Map<String, List<T>> out = new HashMap<>();
    for (Row r :
        spark
            .read()
            .parquet(dir.resolve("prep/examples/" + split).toString())
            .select("key", input)
            .collectAsList()) {
      out.put(Keys.display(r.getString(0)), r.getList(1));
    }
    return out;
  }
}
