package org.mtlspark.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads {@code conf/spark-defaults.conf} (Spark's own format: "key value" per line, '#' comments),
 * so that local runs and tests use the same Spark settings as spark-submit.
 */
public final class SparkDefaults {
  private SparkDefaults() {}

  public static Map<String, String> read(Path file) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    int n = 0;
    for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] kv = line.split("[\\s=]+", 2);
      if (kv.length < 2) {
        throw new IOException(
            file + " line " + n + ": expected \"key value\", got \"" + line + "\"");
      }
      out.put(kv[0], kv[1].strip());
    }
    return out;
  }
}
