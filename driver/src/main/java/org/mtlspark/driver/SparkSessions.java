package org.mtlspark.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.SparkDefaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Creates the SparkSession of a command. The master and Spark settings come from spark-submit or,
 * for local runs, from the launcher ({@code -Dspark.master}) and {@code conf/spark-defaults.conf}
 * (found through {@code -Dmtl.conf.dir} or {@code MTL_CONF_DIR}); settings already given win.
 */
final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  private SparkSessions() {}

  static SparkSession create(String appName) throws IOException {
    SparkConf conf = sparkConf(appName);
    if (!conf.contains("spark.master")) {
      throw new CommandException(ExitCodes.USAGE, "no Spark master is set: run through submit-scripts/mtl "
          + "(local, no Spark installation), submit-scripts/submit.sh (spark-submit), or pass -Dspark.master=local[2]");
    }
    LOG.info("starting Spark ({}) for {}", conf.get("spark.master"), appName);
    return SparkSession.builder().config(conf).getOrCreate();
  }

  /**
   * The Hadoop configuration the command's SparkSession will have ({@code spark.hadoop.*} settings
   * on top of Hadoop's defaults), for checking paths before Spark starts.
   */
  static Configuration hadoopConfiguration() throws IOException {
    Configuration hadoop = new Configuration();
    for (Tuple2<String, String> setting : sparkConf("check").getAllWithPrefix("spark.hadoop.")) {
      hadoop.set(setting._1(), setting._2());
    }
    return hadoop;
  }

  /** The Spark settings of a command: spark-submit's or the launcher's, then conf/spark-defaults.conf. */
  private static SparkConf sparkConf(String appName) throws IOException {
    SparkConf conf = new SparkConf().setAppName(appName);
    Path defaults = confDir().resolve("spark-defaults.conf");
    if (Files.isRegularFile(defaults)) {
      SparkDefaults.read(defaults).forEach(conf::setIfMissing);
    }
    return conf;
  }

  static Path confDir() {
    String dir = System.getProperty("mtl.conf.dir", System.getenv("MTL_CONF_DIR"));
    return dir != null ? Paths.get(dir) : Paths.get("conf");
  }
}
