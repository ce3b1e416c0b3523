package org.mtlspark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.SparkDefaults;

/**
 * The one local[2] SparkSession of an integration-test run, configured from
 * {@code conf/spark-defaults.conf} like production (Kryo with ND4J's registrator), created on first
 * use (and again after a command run in the test stopped it) and stopped when the JVM exits.
 */
public final class SharedSpark {
  private static SparkSession session;

  private SharedSpark() {}

  public static synchronized SparkSession get() {
    // A command run in-process uses this session when it runs and leaves it running; one that
    // started its own stops it (as under spark-submit), and the next test gets a new one here.
    if (session == null || session.sparkContext().isStopped()) {
      SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("mtlspark-it");
      Map<String, String> defaults = read(confDir().resolve("spark-defaults.conf"));
      defaults.forEach(conf::set);
      conf.set("spark.sql.shuffle.partitions", "4");
      // Tests keep every address on the loopback interface.
      conf.set("spark.driver.host", "127.0.0.1");
      conf.set("spark.driver.bindAddress", "127.0.0.1");
      // Tables live in a folder of this run; where Hive's classes are on the test classpath, in a
      // Hive metastore of its own (Derby, in that folder), as on a cluster.
      Path tables = tablesDir();
      conf.set("spark.sql.warehouse.dir", tables.resolve("warehouse").toUri().toString());
      if (hiveOnClasspath()) {
        conf.set("spark.sql.catalogImplementation", "hive");
        conf.set(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            "jdbc:derby:;databaseName=" + tables.resolve("metastore") + ";create=true");
        System.setProperty("derby.system.home", tables.toString());
      }
      boolean first = session == null;
      session = SparkSession.builder().config(conf).getOrCreate();
      if (first) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      session.stop();
                      deleteQuietly(tables);
                    }));
      }
    }
    return session;
  }

  private static Path tables;

  private static Path tablesDir() {
    if (tables == null) {
      try {
        tables = Files.createTempDirectory("mtlspark-tables");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return tables;
  }

  /** Removes a folder of this run's tables, as far as it can (the JVM is ending). */
  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var all = Files.walk(dir)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // left for the system's cleaning of temporary files
    }
  }

  /** Whether Spark's Hive support is on the classpath (a module's tests of tables add it). */
  public static boolean hiveOnClasspath() {
    try {
      Class.forName("org.apache.spark.sql.hive.HiveSessionStateBuilder");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The project's conf/ folder, from the build (mtl.conf.dir) or found upwards from the working folder. */
  public static Path confDir() {
    String prop = System.getProperty("mtl.conf.dir");
    if (prop != null && Files.isDirectory(Paths.get(prop))) {
      return Paths.get(prop);
    }
    Path dir = Paths.get("").toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("conf/defaults.yaml"))) {
        return dir.resolve("conf");
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("cannot find the project's conf/ folder");
  }

  private static Map<String, String> read(Path file) {
    try {
      return SparkDefaults.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
