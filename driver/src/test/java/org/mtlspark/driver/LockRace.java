package org.mtlspark.driver;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.operate.registry.RegistryException;
import org.mtlspark.operate.registry.RegistryLock;

/**
 * Contenders for one registry lock, as threads of this JVM or as other processes: each takes the
 * lock {@code tries} times and, while holding it, claims a marker file with an exclusive create
 * of the local filesystem. A marker that already exists means two holders at once: an overlap.
 */
final class LockRace {
  /** What the contenders saw: how often they held the lock, and how often someone else held it too. */
  record Tally(int held, int overlaps) {
    Tally plus(Tally o) {
      return new Tally(held + o.held, overlaps + o.overlaps);
    }
  }

  private LockRace() {}

  /** One contender: takes the lock {@code tries} times (waiting for it), holding it a moment each time. */
  static Tally contend(String lockDir, Path marker, int tries, String owner) throws IOException {
    Configuration hadoop = new Configuration();
    int held = 0;
    int overlaps = 0;
    for (int i = 0; i < tries; i++) {
      try (RegistryLock lock =
          RegistryLock.acquire(
              hadoop,
              new org.apache.hadoop.fs.Path(lockDir),
              owner + " " + i,
              Duration.ofMinutes(5),
              Duration.ofMinutes(2))) {
        held++;
        try {
          Files.createFile(marker);
        } catch (FileAlreadyExistsException e) {
          overlaps++;
          continue;
        }
        Thread.onSpinWait();
        lock.check();
        Files.delete(marker);
      } catch (RegistryException e) {
        throw new IllegalStateException(owner + ": " + e.getMessage(), e);
      }
    }
    return new Tally(held, overlaps);
  }

  /** {@code threads} contenders in this JVM. */
  static Tally threads(String lockDir, Path marker, int threads, int tries) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Tally>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String owner = "thread " + t;
        all.add(pool.submit(() -> contend(lockDir, marker, tries, owner)));
      }
      Tally sum = new Tally(0, 0);
      for (Future<Tally> f : all) {
        sum = sum.plus(f.get());
      }
      return sum;
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code processes} JVMs, each with {@code threads} contenders; their tallies summed. */
  static Tally processes(String lockDir, Path marker, int processes, int threads, int tries)
      throws Exception {
    List<Process> started = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      Path out = Files.createTempFile(marker.getParent(), "contender", ".out");
      outputs.add(out);
      started.add(
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  LockRace.class.getName(),
                  lockDir,
                  marker.toString(),
                  String.valueOf(threads),
                  String.valueOf(tries))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start());
    }
    Tally sum = new Tally(0, 0);
    for (int p = 0; p < processes; p++) {
      int code = started.get(p).waitFor();
      String text = Files.readString(outputs.get(p));
      String last = text.lines().filter(l -> l.startsWith("tally ")).findFirst().orElse("");
      if (code != 0 || last.isEmpty()) {
        throw new IllegalStateException(
            "contender process " + p + " exited " + code + ":\n" + text);
      }
      String[] f = last.split(" ");
      sum = sum.plus(new Tally(Integer.parseInt(f[1]), Integer.parseInt(f[2])));
    }
    return sum;
  }

  /**
   * A contender process: LOCKDIR MARKER THREADS TRIES; prints "tally HELD OVERLAPS". Or "die
   * LOCKDIR": takes the lock and stops at once without releasing it, as a killed process does.
   */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("die")) {
      RegistryLock.acquire(
          new Configuration(),
          new org.apache.hadoop.fs.Path(args[1]),
          "killed run",
          Duration.ofHours(1),
          Duration.ZERO);
      System.out.println("holding");
      System.out.flush();
      Runtime.getRuntime().halt(0);
    }
    Tally t =
        threads(args[0], Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
    System.out.println("tally " + t.held() + " " + t.overlaps());
  }
}
