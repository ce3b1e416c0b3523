package org.mtlspark.workers.train;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * The bytes the driver's threads allocate on the heap between {@link #start()} and {@link
 * #bytes()}: every received result deserialized, every average and broadcast made, every task
 * scheduled. It bounds what the driver holds at once during that time, so it grows with the
 * workers exactly when the driver's memory does. Threads that run tasks or read their batches (in
 * local mode the executors live in the driver's JVM) are left out; so are threads that end before {@link
 * #bytes()} (Spark's own pools keep theirs).
 */
public final class DriverAllocation {
  /** Threads of a local-mode executor's task pool, named so by Spark. */
  static final String TASK_THREAD = "Executor task launch worker";

  /** The threads a streaming worker reads its batches on (they run in the executors). */
  static final String READER_THREAD = ResidentAveragingTrainer.READER_THREAD;

  private final com.sun.management.ThreadMXBean threads;
  private final Map<Long, Long> before;

  private DriverAllocation(com.sun.management.ThreadMXBean threads) {
    this.threads = threads;
    this.before = snapshot(threads);
  }

  /**
   * Starts counting.
   *
   * @throws UnsupportedOperationException when the JVM does not count allocations per thread
   */
  public static DriverAllocation start() {
    if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)
        || !t.isThreadAllocatedMemorySupported()) {
      throw new UnsupportedOperationException("this JVM does not count allocations per thread");
    }
    if (!t.isThreadAllocatedMemoryEnabled()) {
      t.setThreadAllocatedMemoryEnabled(true);
    }
    return new DriverAllocation(t);
  }

  /** Bytes the driver's threads allocated since {@link #start()}. */
  public long bytes() {
    long sum = 0;
    for (Map.Entry<Long, Long> e : snapshot(threads).entrySet()) {
      sum += e.getValue() - before.getOrDefault(e.getKey(), 0L);
    }
    return sum;
  }

  private static Map<Long, Long> snapshot(com.sun.management.ThreadMXBean threads) {
    Map<Long, Long> bytes = new HashMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(TASK_THREAD) || t.getName().startsWith(READER_THREAD)) {
        continue;
      }
      long b = threads.getThreadAllocatedBytes(t.getId());
      if (b >= 0) {
        bytes.put(t.getId(), b);
      }
    }
    return bytes;
  }
}
