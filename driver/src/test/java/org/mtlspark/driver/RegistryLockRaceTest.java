package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.RegistryException;
import org.mtlspark.operate.registry.RegistryLock;

/** The registry lock on the local filesystem, raced by threads and by processes. */
class RegistryLockRaceTest {
  @TempDir Path dir;
  final Configuration hadoop = new Configuration();

  String lockDir() {
    return dir.resolve("locks").toUri().toString();
  }

  @Test
  void threadsNeverHoldItTogether() throws Exception {
    LockRace.Tally t = LockRace.threads(lockDir(), dir.resolve("inside"), 6, 60);
    assertEquals(new LockRace.Tally(360, 0), t);
  }

  @Test
  void processesNeverHoldItTogether() throws Exception {
    LockRace.Tally t = LockRace.processes(lockDir(), dir.resolve("inside"), 3, 2, 40);
    assertEquals(new LockRace.Tally(240, 0), t);
  }

  /** A crashed holder's lock, broken by many at once: exactly one of them gets it, every time. */
  @Test
  void aStaleLockIsBrokenByExactlyOneTaker() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      for (int round = 0; round < 40; round++) {
        Path locks = dir.resolve("stale" + round);
        Files.createDirectories(locks);
        Path crashed = locks.resolve("000000001.lock");
        Files.writeString(crashed, "{\"owner\":\"crashed run\"}");
        Files.setLastModifiedTime(crashed, FileTime.from(Instant.now().minus(Duration.ofHours(1))));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<RegistryLock>> takers = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          String owner = "taker " + t;
          takers.add(
              pool.submit(
                  () -> {
                    go.await();
                    try {
                      return RegistryLock.acquire(
                          hadoop,
                          new org.apache.hadoop.fs.Path(locks.toUri()),
                          owner,
                          Duration.ofMinutes(1),
                          Duration.ZERO);
                    } catch (RegistryException e) {
                      return null;
                    }
                  }));
        }
        go.countDown();
        List<RegistryLock> won = new ArrayList<>();
        for (Future<RegistryLock> f : takers) {
          if (f.get() != null) {
            won.add(f.get());
          }
        }
        assertEquals(1, won.size(), "round " + round + ": holders " + won.size());
        won.get(0).check();
        won.get(0).close();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** A holder past the stale limit that keeps refreshing its lock is never broken. */
  @Test
  void aRefreshedLockOlderThanTheLimitIsNotBroken() throws Exception {
    org.apache.hadoop.fs.Path locks = new org.apache.hadoop.fs.Path(lockDir());
    Duration stale = Duration.ofMillis(600);
    try (RegistryLock held =
        RegistryLock.acquire(hadoop, locks, "long retrain", stale, Duration.ZERO)) {
      long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      int refused = 0;
      while (System.nanoTime() < end) {
        RegistryException e =
            assertThrows(
                RegistryException.class,
                () -> RegistryLock.acquire(hadoop, locks, "another", stale, Duration.ZERO));
        assertTrue(e.getMessage().contains("long retrain"), e.getMessage());
        refused++;
        Thread.sleep(100);
      }
      assertTrue(refused >= 20, "tries " + refused);
      held.check();
    }
    RegistryLock.acquire(hadoop, locks, "after", stale, Duration.ZERO).close();
  }

  /** A holder whose lock was broken (it stopped refreshing it) learns so before it writes again. */
  @Test
  void aHolderWhoseLockWasBrokenKnowsItAndLeavesTheNewHolders() throws Exception {
    org.apache.hadoop.fs.Path locks = new org.apache.hadoop.fs.Path(lockDir());
    RegistryLock first =
        RegistryLock.acquire(hadoop, locks, "paused run", Duration.ofMinutes(10), Duration.ZERO);
    // As if its heartbeat had stopped an hour ago.
    Files.setLastModifiedTime(
        dir.resolve("locks/000000001.lock"),
        FileTime.from(Instant.now().minus(Duration.ofHours(1))));
    try (RegistryLock second =
        RegistryLock.acquire(hadoop, locks, "next run", Duration.ofMinutes(10), Duration.ZERO)) {
      RegistryException lost = assertThrows(RegistryException.class, first::check);
      assertTrue(lost.getMessage().contains("next run"), lost.getMessage());
      first.close();
      second.check();
      assertThrows(
          RegistryException.class,
          () ->
              RegistryLock.acquire(hadoop, locks, "third", Duration.ofMinutes(10), Duration.ZERO));
    }
  }

  @Test
  void aLockThatCannotBeReadIsJudgedByItsAgeNotBroken() throws Exception {
    Files.createDirectories(dir.resolve("locks"));
    Files.writeString(dir.resolve("locks/000000007.lock"), "");
    RegistryException e =
        assertThrows(
            RegistryException.class,
            () ->
                RegistryLock.acquire(
                    hadoop,
                    new org.apache.hadoop.fs.Path(lockDir()),
                    "r",
                    Duration.ofMinutes(10),
                    Duration.ZERO));
    assertTrue(e.getMessage().contains("held by"), e.getMessage());
  }

  @Test
  void aRegistryOnAnObjectStoreIsRefusedWithTheReason() {
    ModelRegistry s3 = new ModelRegistry(hadoop, "s3a://bucket/registry");
    RegistryException e =
        assertThrows(RegistryException.class, () -> s3.lock("m", "r", Duration.ofMinutes(5)));
    assertTrue(
        e.getMessage().contains("s3a://") && e.getMessage().contains("HDFS"), e.getMessage());
  }

  /** The lock of a process that died on this host is broken at once, not after the stale limit. */
  @Test
  void aLockOfAProcessThatDiedHereIsBrokenAtOnce() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockRace.class.getName(),
                "die",
                lockDir())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("holding"), out);
    RegistryLock.Holder left =
        RegistryLock.current(hadoop, new org.apache.hadoop.fs.Path(lockDir()));
    assertEquals("killed run", left.owner());
    assertTrue(!left.released(), "the dead process did not release it");
    try (RegistryLock taken =
        RegistryLock.acquire(
            hadoop,
            new org.apache.hadoop.fs.Path(lockDir()),
            "retry",
            Duration.ofHours(1),
            Duration.ZERO)) {
      taken.check();
    }
  }
}
