package org.mtlspark.workers.train;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.TrainConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many parameter-averaging workers train: the configured number, or with {@code train.workers:
 * auto} one per task slot the application has when training starts (its executor cores over
 * {@code spark.task.cpus}), so that every worker's task runs at once.
 */
public final class TrainingWorkers {
  private static final Logger LOG = LoggerFactory.getLogger(TrainingWorkers.class);
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\s*\\d+)?])?");
  private static final Pattern LOCAL_CLUSTER =
      Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,.*]");

  /** How long auto waits for a first executor to register on a cluster. */
  private static final long EXECUTOR_WAIT_MS = 60_000;

  /** The count last logged, so that a command resolving it for training and evaluation logs it once. */
  private static final AtomicInteger lastLogged = new AtomicInteger();

  private TrainingWorkers() {}

  /**
   * What the application has, as far as the workers depend on it.
   *
   * @param master the Spark master URL
   * @param executors executors registered (not counting the driver)
   * @param executorCores {@code spark.executor.cores} when it is set
   * @param registeredCores the cores the executors registered with, when known (Spark's default
   *     parallelism when {@code spark.default.parallelism} is not set)
   * @param processors this machine's processors (for {@code local[*]})
   * @param taskCpus {@code spark.task.cpus}: the cores each task takes
   */
  record Available(
      String master,
      int executors,
      OptionalInt executorCores,
      OptionalInt registeredCores,
      int processors,
      int taskCpus) {}

  /** As {@link #resolve(JavaSparkContext, TrainConfig)}. */
  public static int resolve(SparkSession spark, TrainConfig train) {
    return resolve(JavaSparkContext.fromSparkContext(spark.sparkContext()), train);
  }

  /** The workers for {@code train}: its number, or with auto as {@link #auto} says (logged at INFO). */
  public static int resolve(JavaSparkContext jsc, TrainConfig train) {
    if (!train.autoWorkers()) {
      return train.fixedWorkers();
    }
    Available available = available(jsc);
    if (available.executors() == 0 && !isLocal(available.master())) {
      long deadline = System.currentTimeMillis() + EXECUTOR_WAIT_MS;
      LOG.info(
          "train.workers auto: waiting up to {}s for an executor to register",
          EXECUTOR_WAIT_MS / 1000);
      while (available.executors() == 0 && System.currentTimeMillis() < deadline) {
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
        available = available(jsc);
      }
    }
    int workers = auto(available);
    if (lastLogged.getAndSet(workers) != workers) {
      LOG.info("train.workers auto: {} ({})", workers, describe(available));
    }
    return workers;
  }

  /**
   * The workers auto gives: {@code local[N]} N, {@code local[*]} the processors, {@code local} 1,
   * {@code local-cluster[n, c, m]} n x c; on a cluster the executors times {@code spark.executor.cores}
   * when it is set, else the cores the executors registered, else one per executor; each count of
   * cores divided by {@code spark.task.cpus}; at least 1.
   */
  static int auto(Available a) {
    OptionalInt cores = cores(a);
    // Cores unknown: one worker per executor, whatever a task takes.
    return cores.isPresent()
        ? Math.max(1, cores.getAsInt() / Math.max(1, a.taskCpus()))
        : Math.max(1, a.executors());
  }

  /** The cores the application's tasks run on, when known. */
  private static OptionalInt cores(Available a) {
    Matcher local = LOCAL.matcher(a.master().strip());
    if (local.matches()) {
      String n = local.group(1);
      return OptionalInt.of(
          n == null
              ? 1
              : n.equals("*") ? Math.max(1, a.processors()) : Math.max(1, Integer.parseInt(n)));
    }
    Matcher cluster = LOCAL_CLUSTER.matcher(a.master().strip());
    if (cluster.matches()) {
      return OptionalInt.of(
          Math.max(1, Integer.parseInt(cluster.group(1)) * Integer.parseInt(cluster.group(2))));
    }
    if (a.executors() > 0 && a.executorCores().isPresent()) {
      return OptionalInt.of(Math.max(1, a.executors() * a.executorCores().getAsInt()));
    }
    if (a.registeredCores().isPresent()) {
      return OptionalInt.of(Math.max(1, a.registeredCores().getAsInt()));
    }
    return OptionalInt.empty();
  }

  private static Available available(JavaSparkContext jsc) {
    SparkConf conf = jsc.getConf();
    String master = conf.get("spark.master", "local");
    // The status tracker lists the driver too; in local mode the driver is the executor.
    int executors =
        isLocal(master) ? 0 : Math.max(0, jsc.sc().statusTracker().getExecutorInfos().length - 1);
    OptionalInt cores =
        conf.contains("spark.executor.cores")
            ? OptionalInt.of(conf.getInt("spark.executor.cores", 1))
            : OptionalInt.empty();
    OptionalInt registered =
        conf.contains("spark.default.parallelism") || executors == 0
            ? OptionalInt.empty()
            : OptionalInt.of(jsc.defaultParallelism());
    return new Available(
        master,
        executors,
        cores,
        registered,
        Runtime.getRuntime().availableProcessors(),
        conf.getInt("spark.task.cpus", 1));
  }

  private static boolean isLocal(String master) {
    return master.startsWith("local");
  }

  private static String describe(Available a) {
    if (isLocal(a.master())) {
      return "master " + a.master() + (a.taskCpus() > 1 ? ", spark.task.cpus " + a.taskCpus() : "");
    }
    return a.executors()
        + " executor(s)"
        + (a.executorCores().isPresent()
            ? " x " + a.executorCores().getAsInt() + " core(s)"
            : a.registeredCores().isPresent()
                ? ", " + a.registeredCores().getAsInt() + " core(s) registered"
                : "")
        + (a.taskCpus() > 1 ? ", spark.task.cpus " + a.taskCpus() : "");
  }
}
