package org.mtlspark.driver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.SparkDefaults;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * Creates the SparkSession of a command. Under spark-submit the settings are the site's (its
 * {@code spark-defaults.conf}) and the submitter's; without spark-submit (submit-scripts/mtl, tests)
 * the master comes from {@code -Dspark.master} and the rest from the local-machine profile
 * {@code conf/spark-defaults.conf} (found through {@code -Dmtl.conf.dir} or {@code MTL_CONF_DIR}).
 * Either way, what the code relies on ({@link #required}) is added where it is missing, never
 * replacing a setting that was given.
 */
final class SparkSessions {
  private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

  static final String KRYO = "org.apache.spark.serializer.KryoSerializer";

  /** ND4J's registrator (INDArrays) and ours (Java records, immutable collections), in that order. */
  static final List<String> REGISTRATORS =
      List.of("org.nd4j.kryo.Nd4jRegistrator", "org.mtlspark.prep.kryo.RecordKryoRegistrator");

  private SparkSessions() {}

  /** The SparkSession already running in this JVM (active on this thread, or the default), if any. */
  static java.util.Optional<SparkSession> running() {
    for (scala.Option<SparkSession> s :
        List.of(SparkSession.getActiveSession(), SparkSession.getDefaultSession())) {
      if (s.isDefined() && !s.get().sparkContext().isStopped()) {
        return java.util.Optional.of(s.get());
      }
    }
    return java.util.Optional.empty();
  }

  /**
   * {@code spark}, a session this JVM already runs, for {@code appName}: used as it is (its
   * settings cannot change once started; those this project would add and it lacks are named in
   * a warning) and left running afterwards.
   */
  static SparkSession reuse(SparkSession spark, String appName) {
    Map<String, String> given = new LinkedHashMap<>();
    for (Tuple2<String, String> kv : spark.sparkContext().getConf().getAll()) {
      given.put(kv._1(), kv._2());
    }
    Map<String, String> missing = required(given);
    if (!missing.isEmpty()) {
      LOG.warn(
          "the running SparkSession lacks settings this project sets for its own: {}; set them"
              + " when creating the session if a job fails",
          missing);
    }
    LOG.info(
        "{} runs in the SparkSession already running (application {}, master {}), which it leaves"
            + " running",
        appName,
        spark.sparkContext().applicationId(),
        spark.sparkContext().master());
    return spark;
  }

  static SparkSession create(String appName) throws IOException {
    SparkConf conf = sparkConf(appName);
    if (!conf.contains("spark.master")) {
      throw new CommandException(
          ExitCodes.USAGE,
          "no Spark master is set: run through submit-scripts/mtl "
              + "(local, no Spark installation), submit-scripts/submit.sh (spark-submit), or pass -Dspark.master=local[2]");
    }
    Map<String, String> given = new LinkedHashMap<>();
    for (Tuple2<String, String> kv : conf.getAll()) {
      given.put(kv._1(), kv._2());
    }
    String serializer = given.get("spark.serializer");
    if (serializer != null && !serializer.equals(KRYO)) {
      LOG.warn(
          "spark.serializer is {}: the project's classes are registered for {} only",
          serializer,
          KRYO);
    }
    Map<String, String> added = required(given);
    added.forEach(conf::set);
    if (!added.isEmpty()) {
      LOG.info("Spark settings added: {}", added);
    }
    LOG.info("starting Spark ({}) for {}", conf.get("spark.master"), appName);
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    LOG.info("Spark application {}", spark.sparkContext().applicationId());
    return spark;
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

  /**
   * The Spark settings of a command: spark-submit's or the launcher's; outside spark-submit, then
   * the local-machine profile conf/spark-defaults.conf.
   */
  private static SparkConf sparkConf(String appName) throws IOException {
    SparkConf conf = new SparkConf().setAppName(appName);
    // spark-submit always sets the deploy mode; then the site's settings apply, not our local
    // profile.
    if (!conf.contains("spark.submit.deployMode")) {
      Path defaults = confDir().resolve("spark-defaults.conf");
      if (Files.isRegularFile(defaults)) {
        SparkDefaults.read(defaults).forEach(conf::setIfMissing);
      }
    }
    return conf;
  }

  /**
   * The settings to add to {@code given} so that the code runs: Kryo (when no serializer is given),
   * our Kryo registrators appended to any given ones, a buffer large enough for a model's
   * parameters, one native ND4J thread per executor task, and no physical-memory check at every
   * native allocation in the executors (unless their options set one). Returns only what changes.
   */
  static Map<String, String> required(Map<String, String> given) {
    Map<String, String> out = new LinkedHashMap<>();
    if (!given.containsKey("spark.serializer")) {
      out.put("spark.serializer", KRYO);
    }
    String registrators = mergeRegistrators(given.get("spark.kryo.registrator"));
    if (!registrators.equals(given.get("spark.kryo.registrator"))) {
      out.put("spark.kryo.registrator", registrators);
    }
    // Parameters and updater state of a model travel as one object each round.
    putIfMissing(given, out, "spark.kryoserializer.buffer.max", "512m");
    // Nothing the project ships has reference cycles; without tracking Kryo skips an identity map.
    putIfMissing(given, out, "spark.kryo.referenceTracking", "false");
    // More native threads than cores is catastrophic: as many per task as the cores a task takes
    // (ND4J sizes its own loops from this at start; each training worker then sets its threads).
    putIfMissing(
        given,
        out,
        "spark.executorEnv.OMP_NUM_THREADS",
        given.getOrDefault("spark.task.cpus", "1").strip());
    // javacpp reads the process's resident size at every native allocation while a physical
    // limit is set, and ND4J allocates several small pointers per op: a third of a small
    // network's step. Its own byte count (maxbytes) still bounds the off-heap memory.
    String options = given.getOrDefault(EXECUTOR_OPTIONS, "");
    if (!options.contains(MAX_PHYSICAL_BYTES)) {
      out.put(EXECUTOR_OPTIONS, (options.strip() + " -D" + MAX_PHYSICAL_BYTES + "=0").strip());
    }
    return out;
  }

  private static final String EXECUTOR_OPTIONS = "spark.executor.extraJavaOptions";
  private static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxphysicalbytes";

  /**
   * A comma-separated registrator list: the given ones first, in their order, then ours that are
   * not already there. Blank entries are dropped.
   */
  static String mergeRegistrators(String given) {
    List<String> names = new ArrayList<>();
    if (given != null) {
      for (String name : given.split(",")) {
        String n = name.strip();
        if (!n.isEmpty() && !names.contains(n)) {
          names.add(n);
        }
      }
    }
    for (String ours : REGISTRATORS) {
      if (!names.contains(ours)) {
        names.add(ours);
      }
    }
    return String.join(",", names);
  }

  private static void putIfMissing(
      Map<String, String> given, Map<String, String> out, String key, String value) {
    if (!given.containsKey(key)) {
      out.put(key, value);
    }
  }

  static Path confDir() {
    String dir = System.getProperty("mtl.conf.dir", System.getenv("MTL_CONF_DIR"));
    return dir != null ? Paths.get(dir) : Paths.get("conf");
  }
}
