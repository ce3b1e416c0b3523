package org.mtlspark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InProcessCommandTest {
  @Test
  void aSparkShutdownTraceFromAnotherThreadIsNotTheCommandsOutput() {
    String err =
        """
        error: 12 of 400 rows were rejected
        java.util.concurrent.RejectedExecutionException: Task scala.concurrent.impl.CallbackRunnable@63c4c95c rejected from java.util.concurrent.ThreadPoolExecutor@67fb41fc[Shutting down, pool size = 1]
        \tat java.base/java.util.concurrent.ThreadPoolExecutor.reject(ThreadPoolExecutor.java:833)
        \tat scala.concurrent.impl.CallbackRunnable.run(Promise.scala:64)
        the next line\
        """;
    assertEquals(
        "error: 12 of 400 rows were rejected\nthe next line",
        InProcessCommand.withoutShutdownNoise(err));
    String own = "error: x\n\tat org.mtlspark.Some.frame(Some.java:1)";
    assertEquals(own, InProcessCommand.withoutShutdownNoise(own), "the command's own trace stays");
  }
}
