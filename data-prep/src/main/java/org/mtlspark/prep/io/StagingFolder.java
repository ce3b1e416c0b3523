package org.mtlspark.prep.io;

import java.io.IOException;
import java.util.UUID;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hidden folder ({@code .NAME-<uuid>.tmp}, beside the output) that a job writes into before
 * renaming it to its output, and its removal when the job fails: a failed run leaves nothing
 * behind, and only the folder that run created is removed.
 */
public final class StagingFolder {
  private static final Logger LOG = LoggerFactory.getLogger(StagingFolder.class);

  /** How long a failed job waits for the tasks still running before removing its folder. */
  private static final long DRAIN_MILLIS = 60_000;

  private StagingFolder() {}

  /** A new, unique staging folder for {@code target} (not created). */
  public static Path beside(Path target) {
    return new Path(target.getParent(), "." + target.getName() + "-" + UUID.randomUUID() + ".tmp");
  }

  /**
   * Removes {@code staging} after {@code failure}: first waits (a minute at most) until no Spark
   * stage is running, so that a task of the failed job still writing cannot recreate files in it,
   * then deletes it. A problem while removing it is logged and attached to {@code failure}, which
   * stays the error the caller throws.
   */
  public static void discard(SparkSession spark, FileSystem fs, Path staging, Throwable failure) {
    try {
      long until = System.currentTimeMillis() + DRAIN_MILLIS;
      while (spark.sparkContext().statusTracker().getActiveStageIds().length > 0
          && System.currentTimeMillis() < until) {
        Thread.sleep(50);
      }
      if (fs.exists(staging)) {
        fs.delete(staging, true);
        LOG.info("removed the staging folder {} of the failed run", staging);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("cannot remove the staging folder {} of the failed run: {}", staging, e.toString());
      failure.addSuppressed(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.addSuppressed(e);
    }
  }
}
