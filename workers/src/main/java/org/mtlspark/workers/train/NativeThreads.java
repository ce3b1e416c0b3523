package org.mtlspark.workers.train;

import org.apache.spark.TaskContext;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * The native threads a training task computes with. ND4J's CPU backend has three pools: OpenMP
 * regions (sized per calling thread), its own parallel loops (process-wide) and OpenBLAS
 * (process-wide); each defaults to one thread per core, so that two tasks training at once on a
 * two-core executor would run four busy native threads and spin. The worker sets all three itself
 * before it fits, so that no launcher setting ({@code OMP_NUM_THREADS} in an executor's
 * environment, which local mode and many site configurations never pass on) decides it.
 */
public final class NativeThreads {
  private NativeThreads() {}

  /**
   * The threads for a task: {@code configured} when it is at least 1, else ({@code auto}) the
   * running Spark task's {@code spark.task.cpus}, or 1 outside a task.
   */
  public static int resolve(int configured) {
    if (configured >= 1) {
      return configured;
    }
    TaskContext task = TaskContext.get();
    return task == null ? 1 : Math.max(1, task.cpus());
  }

  /**
   * Limits the calling thread's OpenMP regions, and ND4J's loops and OpenBLAS in this process, to
   * {@code threads}. Every worker of a training sets the same number, so the process-wide part
   * does not depend on which task ran last. Does nothing on a backend other than the CPU's.
   */
  public static void limit(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("native threads must be at least 1, was " + threads);
    }
    if (!Nd4j.getEnvironment().isCPU()) {
      return;
    }
    NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  /** The OpenMP threads a region started by the calling thread would use. */
  public static int openMpThreads() {
    return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
  }

  /** OpenBLAS's threads in this process. */
  public static int blasThreads() {
    return Nd4j.factory().blas().getMaxThreads();
  }
}
