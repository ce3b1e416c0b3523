package org.mtlspark.prep.io;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * Names the Spark jobs that the calling thread starts next, so that the Spark UI, the event log and
 * the history server say which step each job belongs to ("prep: read and align sources",
 * "train: epoch 3, round 12") instead of the line that started it. The step ("prep", "train",
 * "evaluate"...) is the job group; the description is the step followed by what it does.
 */
public final class JobLabels {
  /** The job property Spark keeps the description in. */
  public static final String DESCRIPTION = "spark.job.description";

  private JobLabels() {}

  public static void describe(SparkContext sc, String step, String what) {
    sc.setJobGroup(step, step + ": " + what, false);
  }

  public static void describe(JavaSparkContext jsc, String step, String what) {
    describe(jsc.sc(), step, what);
  }

  public static void describe(SparkSession spark, String step, String what) {
    describe(spark.sparkContext(), step, what);
  }
}
