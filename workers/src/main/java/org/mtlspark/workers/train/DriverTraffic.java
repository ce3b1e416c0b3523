package org.mtlspark.workers.train;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The bytes tasks send to the driver as their results while it listens: every result task's
 * serialized result (what {@code collect} or the last level of an aggregation brings back), not
 * the shuffles between executors. Register it, train, {@link #drain()}, read {@link #bytes()},
 * then {@link #close()}.
 */
public final class DriverTraffic extends SparkListener implements AutoCloseable {
  private final SparkContext sc;
  private final AtomicLong bytes = new AtomicLong();

  private DriverTraffic(SparkContext sc) {
    this.sc = sc;
  }

  /** Starts listening on {@code sc}. */
  public static DriverTraffic listen(SparkContext sc) {
    DriverTraffic t = new DriverTraffic(sc);
    sc.addSparkListener(t);
    return t;
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    if ("ResultTask".equals(end.taskType()) && end.taskMetrics() != null) {
      bytes.addAndGet(end.taskMetrics().resultSize());
    }
  }

  /**
   * Waits until the listener has seen every event posted so far (events reach listeners on their
   * own thread); call it before reading after the jobs of interest have finished.
   */
  public void drain() throws java.util.concurrent.TimeoutException {
    sc.listenerBus().waitUntilEmpty();
  }

  /** Result bytes received so far. */
  public long bytes() {
    return bytes.get();
  }

  @Override
  public void close() {
    sc.removeSparkListener(this);
  }
}
