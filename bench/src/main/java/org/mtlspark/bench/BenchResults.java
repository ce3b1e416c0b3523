package org.mtlspark.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What a benchmark writes with {@code --out}: its tables, the machine it ran on, and the baseline
 * its figures are compared with in the same run; {@code bench summary} gathers these files into the
 * suite's results. The benchmark's own figures in full go under {@code details}.
 */
record BenchResults(
    String title,
    Map<String, Object> machine,
    String baseline,
    List<Table> tables,
    List<String> notes,
    Object details) {

  /** A table: its caption, its column names, and its rows (one value per column). */
  record Table(String caption, List<String> columns, List<List<Object>> rows) {
    Table(String caption, String... columns) {
      this(caption, Arrays.asList(columns), new ArrayList<>());
    }

    Table row(Object... values) {
      if (values.length != columns.size()) {
        throw new IllegalArgumentException(values.length + " values for the columns " + columns);
      }
      rows.add(Arrays.asList(values));
      return this;
    }
  }

  static BenchResults of(
      SparkSession spark,
      String title,
      String baseline,
      List<Table> tables,
      List<String> notes,
      Object details) {
    return new BenchResults(title, machine(spark), baseline, tables, notes, details);
  }

  void write(SparkSession spark, String out) throws IOException {
    BenchCommand.writeJson(spark, out, this);
  }

  /** The machine the benchmark ran on: cores, memory, processor, JVM heap, Java, Spark master. */
  static Map<String, Object> machine(SparkSession spark) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      m.put("memoryMB", os.getTotalMemorySize() >> 20);
    }
    m.put("cpu", cpuModel());
    m.put("driverHeapMB", Runtime.getRuntime().maxMemory() >> 20);
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    m.put("sparkMaster", spark.sparkContext().master());
    m.put("sparkVersion", spark.version());
    return m;
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux: the processor stays unnamed.
    }
    return "unknown";
  }
}
