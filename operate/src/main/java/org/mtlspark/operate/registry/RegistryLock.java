package org.mtlspark.operate.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock on a folder of a Hadoop filesystem that admits exactly one holder, survives crashes and
 * keeps a long holder alive with a heartbeat.
 *
 * <p>Every taking of the lock is a new numbered file, {@code 000000042.lock}, published with
 * {@link RegistryFiles#publishNew} (exclusive: of two takers of number 42, one wins). The lock is
 * held by the highest number unless a {@code 000000042.released} file says it was released, or
 * the holder stopped refreshing it: the holder touches its file's modification time every
 * {@code staleAfter / 10} (at most a minute), and a file not touched for {@code staleAfter}
 * belongs to a crashed holder. Breaking it means publishing the next number, never deleting, so
 * two breakers cannot both win, and a late breaker can never remove a fresh holder's file. The
 * holder checks, on every heartbeat and before every write it guards ({@link #check}), that its
 * number is still the highest: a holder that was paused past the limit learns it lost the lock
 * instead of writing on.
 */
public final class RegistryLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryLock.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern FILE = Pattern.compile("([0-9]{9})\\.(lock|released)");
  private static final int KEEP = 4;

  private final Configuration hadoop;
  private final Path dir;
  private final long number;
  private final String token;
  private final String what;
  private final ScheduledExecutorService heartbeat;
  private volatile String lost;
  private volatile boolean closed;

  private RegistryLock(
      Configuration hadoop, Path dir, long number, String token, String what, Duration staleAfter) {
    this.hadoop = hadoop;
    this.dir = dir;
    this.number = number;
    this.token = token;
    this.what = what;
    long every = Math.max(50, Math.min(60_000, staleAfter.toMillis() / 10));
    this.heartbeat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "registry-lock-heartbeat " + dir.getName());
              t.setDaemon(true);
              return t;
            });
    heartbeat.scheduleWithFixedDelay(this::beat, every, every, TimeUnit.MILLISECONDS);
  }

  /** Who holds (or last held) a lock, as read from its file. */
  public record Holder(
      long number,
      String owner,
      String host,
      String since,
      Instant refreshed,
      boolean released,
      String process) {
    String describe() {
      return owner + " on " + host + " since " + since + " (last refreshed " + refreshed + ")";
    }

    /**
     * Whether the holder is known to be gone: it ran on this host, in this process namespace, and
     * no process of its pid runs any more (or the one that does started after the lock was taken).
     */
    boolean deadHere() {
      String[] p = process.split(" ", 2);
      String here = processNamespace();
      if (p.length != 2 || here == null || !p[1].equals(here) || !host.equals(host())) {
        return false;
      }
      long pid;
      Instant taken;
      try {
        pid = Long.parseLong(p[0]);
        taken = Instant.parse(since);
      } catch (RuntimeException e) {
        return false;
      }
      return ProcessHandle.of(pid)
          .map(h -> h.info().startInstant().map(t -> t.isAfter(taken)).orElse(false))
          .orElse(true);
    }
  }

  /** The pid namespace of this process (Linux), so that a pid is only compared within one; null elsewhere. */
  static String processNamespace() {
    try {
      return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid"))
          .toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /**
   * Takes the lock in {@code dir}, waiting up to {@code wait} for a holder to release it; a holder
   * that has not refreshed it for {@code staleAfter} is taken to have crashed, and its lock is
   * broken with a warning.
   *
   * @throws RegistryException when another holder keeps it past {@code wait}
   */
  public static RegistryLock acquire(
      Configuration hadoop, Path dir, String owner, Duration staleAfter, Duration wait)
      throws IOException {
    FileSystem fs = dir.getFileSystem(hadoop);
    RegistryFiles.checkSupported(hadoop, dir);
    String token = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + wait.toNanos();
    long pause = 20;
    while (true) {
      Holder current = current(hadoop, dir);
      boolean free = current == null || current.released();
      boolean stale =
          !free
              && (Duration.between(current.refreshed(), Instant.now()).compareTo(staleAfter) > 0
                  || current.deadHere());
      if (free || stale) {
        long next = current == null ? 1 : current.number() + 1;
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("owner", owner);
        content.put("host", host());
        content.put("pid", ProcessHandle.current().pid());
        String namespace = processNamespace();
        if (namespace != null) {
          content.put("pidNamespace", namespace);
        }
        content.put("since", Instant.now().toString());
        content.put("token", token);
        if (RegistryFiles.publishNew(
            hadoop, file(dir, next, "lock"), JSON.writeValueAsBytes(content))) {
          Holder confirmed = current(hadoop, dir);
          if (confirmed != null && confirmed.number() == next) {
            if (stale) {
              LOG.warn(
                  "broke the lock {} of {}: {}",
                  dir,
                  current.describe(),
                  current.deadHere()
                      ? "its process is no longer running on this host"
                      : "not refreshed for more than " + staleAfter);
            }
            RegistryLock lock = new RegistryLock(hadoop, dir, next, token, owner, staleAfter);
            lock.cleanOld();
            return lock;
          }
          // A taker who read an older state published a number that is no longer the highest.
          fs.delete(file(dir, next, "lock"), false);
        }
        continue;
      }
      if (System.nanoTime() >= deadline) {
        throw new RegistryException(
            "the lock "
                + dir
                + " is held by "
                + current.describe()
                + "; it is taken to belong to a crashed run when not refreshed for "
                + staleAfter);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RegistryException("interrupted while waiting for the lock " + dir);
      }
      pause = Math.min(250, pause * 2);
    }
  }

  /** The highest-numbered taking of the lock in {@code dir}, or null when it was never taken. */
  public static Holder current(Configuration hadoop, Path dir) throws IOException {
    FileSystem fs = dir.getFileSystem(hadoop);
    if (!fs.exists(dir)) {
      return null;
    }
    long highest = 0;
    FileStatus status = null;
    List<Long> released = new ArrayList<>();
    for (FileStatus s : fs.listStatus(dir)) {
      Matcher m = FILE.matcher(s.getPath().getName());
      if (m.matches()) {
        long n = Long.parseLong(m.group(1));
        if (m.group(2).equals("released")) {
          released.add(n);
        } else if (n > highest) {
          highest = n;
          status = s;
        }
      }
    }
    if (status == null) {
      return null;
    }
    Map<?, ?> content = read(fs, status.getPath());
    return new Holder(
        highest,
        field(content, "owner"),
        field(content, "host"),
        field(content, "since"),
        Instant.ofEpochMilli(status.getModificationTime()),
        released.contains(highest),
        field(content, "pid") + " " + field(content, "pidNamespace"));
  }

  private static Map<?, ?> read(FileSystem fs, Path file) {
    try (var in = fs.open(file)) {
      return JSON.readValue(in.readAllBytes(), Map.class);
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  private static String field(Map<?, ?> content, String key) {
    Object v = content.get(key);
    return v == null ? "?" : String.valueOf(v);
  }

  private static Path file(Path dir, long number, String kind) {
    return new Path(dir, String.format("%09d.%s", number, kind));
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "?";
    }
  }

  /** Refreshes the lock's file, or notes that the lock was lost. */
  private void beat() {
    if (closed || lost != null) {
      return;
    }
    try {
      Holder h = current(hadoop, dir);
      if (h == null || h.number() != number || h.released()) {
        lost =
            h == null
                ? "its file is gone"
                : h.number() != number
                    ? "it was broken and taken by " + h.describe()
                    : "it was released by another process";
        LOG.error("lost the lock {} ({}): {}", dir, what, lost);
        return;
      }
      dir.getFileSystem(hadoop).setTimes(file(dir, number, "lock"), System.currentTimeMillis(), -1);
    } catch (IOException | RuntimeException e) {
      LOG.warn("could not refresh the lock {}: {}", dir, e.toString());
    }
  }

  /** Fails when this holder no longer holds the lock (it was broken as stale, or removed by hand). */
  public void check() throws IOException {
    if (lost == null) {
      Holder h = current(hadoop, dir);
      if (h == null || h.number() != number || h.released()) {
        lost =
            h == null
                ? "its file is gone"
                : h.number() != number
                    ? "it was broken and taken by " + h.describe()
                    : "it was released by another process";
      }
    }
    if (lost != null) {
      throw new RegistryException(
          "lost the lock " + dir + " (" + what + "): " + lost + "; nothing more is written");
    }
  }

  /** Removes takings older than the last few (never the current one or the one before it). */
  private void cleanOld() {
    try {
      FileSystem fs = dir.getFileSystem(hadoop);
      for (FileStatus s : fs.listStatus(dir)) {
        Matcher m = FILE.matcher(s.getPath().getName());
        if (m.matches() && Long.parseLong(m.group(1)) <= number - KEEP) {
          fs.delete(s.getPath(), false);
        }
      }
    } catch (IOException e) {
      LOG.debug("could not clean old lock files in {}: {}", dir, e.toString());
    }
  }

  /** Releases the lock if this holder still holds it. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    heartbeat.shutdownNow();
    Holder h = current(hadoop, dir);
    if (h != null && h.number() == number && !h.released()) {
      RegistryFiles.publishNew(
          hadoop,
          file(dir, number, "released"),
          token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } else {
      LOG.warn("the lock {} is no longer this holder's ({}); leaving it", dir, what);
    }
  }
}
