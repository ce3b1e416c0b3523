package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NativeThreadsTest {
  @Test
  void limitSetsTheCallingThreadsOpenMpAndTheProcessBlasThreads() throws Exception {
    int blas = NativeThreads.blasThreads();
    AtomicInteger[] seen = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    Thread t =
        new Thread(
            () -> {
              NativeThreads.limit(3);
              seen[0].set(NativeThreads.openMpThreads());
              seen[1].set(NativeThreads.blasThreads());
              NativeThreads.limit(1);
              seen[2].set(NativeThreads.openMpThreads());
            });
    try {
      t.start();
      t.join();
      assertEquals(3, seen[0].get(), "OpenMP regions of the thread that set it");
      assertEquals(3, seen[1].get(), "OpenBLAS");
      assertEquals(1, seen[2].get(), "and set again");
    } finally {
      NativeThreads.limit(blas);
    }
  }

  @Test
  void outsideASparkTaskAutoIsOneThread() {
    assertEquals(1, NativeThreads.resolve(0));
    assertEquals(4, NativeThreads.resolve(4));
    assertThrows(IllegalArgumentException.class, () -> NativeThreads.limit(0));
  }
}
