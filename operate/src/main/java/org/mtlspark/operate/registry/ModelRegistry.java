package org.mtlspark.operate.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versions of named models on HDFS or a shared POSIX mount:
 *
 * <pre>
 * ROOT/NAME/versions/v0001/  model.zip manifest.json config.yaml metrics.json ... version.json
 * ROOT/NAME/promoted.json     the promoted version, the promotion stack and every change
 * ROOT/NAME/locks/retrain/    one retrain of the model at a time ({@link RegistryLock})
 * ROOT/NAME/locks/write/      held for moments: numbering a version, moving the pointer
 * ROOT/NAME/damaged/          versions found incomplete, moved aside by {@link #gc}
 * </pre>
 *
 * A version appears whole (copied into a hidden staging folder, then renamed to the next free
 * number under the write lock, never onto an existing one) and is never changed. Promotion and
 * rollback replace {@code promoted.json} under the write lock, by writing a new file and renaming
 * it over the old one. Every file of a version has its sha256 in {@code version.json}; loading a
 * version checks them all and refuses a changed, truncated or missing file. A version folder
 * without a readable {@code version.json} is reported by {@link #damaged} and skipped everywhere
 * else. Object stores are refused for writing ({@link RegistryFiles}).
 */
public final class ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("v[0-9]{4,9}");
  private static final Pattern NUMBERED = Pattern.compile("(v[0-9]{4,9})(-.*)?");
  public static final String VERSION_FILE = "version.json";
  public static final String POINTER_FILE = "promoted.json";

  /** How long a registry write may go without its heartbeat before its write lock is broken. */
  static final Duration WRITE_LOCK_STALE = Duration.ofMinutes(2);

  /** How long a registry command waits for another's write to finish. */
  static final Duration WRITE_LOCK_WAIT = Duration.ofMinutes(3);

  /** One change of the promoted version: {@code promote} or {@code rollback}, from one version to another. */
  public record Event(String action, String version, String from, String at, String by) {}

  /**
   * The content of promoted.json.
   *
   * @param version the promoted version
   * @param stack the promotions a rollback walks back through (the last is current)
   * @param history every promotion and rollback, oldest first; never shortened
   */
  public record Pointer(String version, List<String> stack, List<Event> history, String updated) {
    /** Whether {@code v} was ever promoted. */
    public boolean everPromoted(String v) {
      return history.stream().anyMatch(e -> e.version().equals(v));
    }
  }

  /** A version folder that cannot be used, and why. */
  public record Damaged(String version, String folder, String reason) {}

  private final Configuration hadoop;
  private final Path root;

  public ModelRegistry(Configuration hadoop, String root) {
    this.hadoop = hadoop;
    this.root = new Path(root);
  }

  /** A model name: letters, digits, '_', '-', '.', starting with a letter or digit, at most 64; never a path. */
  public static String checkName(String name) throws RegistryException {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new RegistryException(
          "invalid model name \""
              + name
              + "\": use letters, digits, '_', '-' and '.', "
              + "starting with a letter or digit, at most 64 characters, no \"..\"");
    }
    return name;
  }

  static String checkVersion(String version) throws RegistryException {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new RegistryException(
          "invalid version \"" + version + "\": versions are named v0001, v0002, ...");
    }
    return version;
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(hadoop);
  }

  private Path model(String name) throws RegistryException {
    return new Path(root, checkName(name));
  }

  private Path versions(String name) throws RegistryException {
    return new Path(model(name), "versions");
  }

  /** The folder of a version. */
  public Path versionDir(String name, String version) throws RegistryException {
    return new Path(versions(name), checkVersion(version));
  }

  /** Refuses a registry on a filesystem without exclusive create and atomic rename (an object store). */
  public void checkSupported() throws RegistryException {
    RegistryFiles.checkSupported(hadoop, root);
  }

  /** The registry's root. */
  public String root() {
    return root.toString();
  }

  /** Every usable version of a model, oldest first; damaged folders are left out with a warning (see {@link #damaged}). */
  public List<ModelVersion> list(String name) throws IOException {
    List<ModelVersion> out = new ArrayList<>();
    List<Damaged> damaged = new ArrayList<>();
    scan(name, out, damaged);
    for (Damaged d : damaged) {
      LOG.warn(
          "skipping the damaged version {} of {}: {} ({}); `registry gc` moves it aside",
          d.version(),
          name,
          d.reason(),
          d.folder());
    }
    return out;
  }

  /** The version folders of a model that cannot be used, with the reason; nothing is changed. */
  public List<Damaged> damaged(String name) throws IOException {
    List<Damaged> damaged = new ArrayList<>();
    scan(name, new ArrayList<>(), damaged);
    return damaged;
  }

  private void scan(String name, List<ModelVersion> good, List<Damaged> damaged)
      throws IOException {
    Path versions = versions(name);
    if (!fs().exists(versions)) {
      return;
    }
    for (FileStatus s : fs().listStatus(versions)) {
      String folder = s.getPath().getName();
      if (!s.isDirectory() || !VERSION.matcher(folder).matches()) {
        continue;
      }
      try {
        good.add(read(name, folder));
      } catch (RegistryException e) {
        damaged.add(new Damaged(folder, s.getPath().toString(), e.getMessage()));
      }
    }
    good.sort(Comparator.comparing(ModelVersion::version));
    damaged.sort(Comparator.comparing(Damaged::version));
  }

  /** A version's record, refusing a folder that is not a whole version. */
  private ModelVersion read(String name, String version) throws IOException {
    Path dir = versionDir(name, version);
    Path file = new Path(dir, VERSION_FILE);
    if (!fs().exists(dir)) {
      throw new RegistryException("model " + name + " has no version " + version + " in " + root);
    }
    if (!fs().exists(file)) {
      throw new RegistryException(
          "model "
              + name
              + " "
              + version
              + " is incomplete: it has no "
              + VERSION_FILE
              + " (left by a crash or a copy by hand)");
    }
    ModelVersion v;
    try {
      v = JSON.readValue(HadoopFiles.readString(hadoop, file.toString()), ModelVersion.class);
    } catch (org.nd4j.shade.jackson.core.JacksonException e) {
      throw new RegistryException(
          "model "
              + name
              + " "
              + version
              + " is damaged: "
              + file
              + " cannot be read ("
              + e.getOriginalMessage()
              + ")");
    }
    if (v == null || !version.equals(v.version()) || !name.equals(v.name()) || v.sha256() == null) {
      throw new RegistryException(
          "model "
              + name
              + " "
              + version
              + " is damaged: "
              + file
              + " describes "
              + (v == null ? "nothing" : v.name() + " " + v.version()));
    }
    for (FileStatus inside : fs().listStatus(dir)) {
      if (inside.isDirectory()) {
        throw new RegistryException(
            "model "
                + name
                + " "
                + version
                + " is damaged: it holds a folder "
                + inside.getPath().getName()
                + " (a version holds files only)");
      }
    }
    return v;
  }

  /** The names of the models in the registry. */
  public List<String> models() throws IOException {
    List<String> out = new ArrayList<>();
    if (fs().exists(root)) {
      for (FileStatus s : fs().listStatus(root)) {
        if (s.isDirectory() && NAME.matcher(s.getPath().getName()).matches()) {
          out.add(s.getPath().getName());
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** One version's record (its files are not verified: see {@link #verify}). */
  public ModelVersion show(String name, String version) throws IOException {
    return read(name, checkVersion(version));
  }

  /** The version a run id produced, if any. */
  public Optional<ModelVersion> findRun(String name, String runId) throws IOException {
    return list(name).stream().filter(v -> runId.equals(v.runId())).findFirst();
  }

  /** The pointer of a model; a promoted.json of the earlier layout (history as the stack) is read too. */
  public Optional<Pointer> pointer(String name) throws IOException {
    Path file = new Path(model(name), POINTER_FILE);
    if (!fs().exists(file)) {
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = JSON.readTree(HadoopFiles.readString(hadoop, file.toString()));
    } catch (org.nd4j.shade.jackson.core.JacksonException e) {
      throw new RegistryException(
          "the pointer "
              + file
              + " cannot be read ("
              + e.getOriginalMessage()
              + "); restore it from a backup or promote a version again");
    }
    if (!tree.has("stack")) {
      List<String> stack = new ArrayList<>();
      List<Event> events = new ArrayList<>();
      for (JsonNode v : tree.path("history")) {
        events.add(
            new Event(
                "promote",
                v.asText(),
                stack.isEmpty() ? null : stack.get(stack.size() - 1),
                null,
                null));
        stack.add(v.asText());
      }
      return Optional.of(
          new Pointer(tree.path("version").asText(), stack, events, tree.path("updated").asText()));
    }
    return Optional.of(JSON.treeToValue(tree, Pointer.class));
  }

  public Optional<String> promoted(String name) throws IOException {
    return pointer(name).map(Pointer::version);
  }

  /** As {@link #register(String, String, String, ModelVersion.DataDescription, double, String, ModelVersion.Decision)}, without a decision. */
  public ModelVersion register(
      String name,
      String runDir,
      String runId,
      ModelVersion.DataDescription data,
      double objective,
      String warmStartedFrom)
      throws IOException {
    return register(name, runDir, runId, data, objective, warmStartedFrom, null);
  }

  /**
   * Copies a run's files into a new version, numbered after every version and damaged folder of
   * the model, with their sha256 and the given description. The files are copied into a staging
   * folder first; only the numbering and the rename happen under the write lock, and the rename
   * never lands on an existing version. The test metrics come from the run's metrics.json.
   */
  public ModelVersion register(
      String name,
      String runDir,
      String runId,
      ModelVersion.DataDescription data,
      double objective,
      String warmStartedFrom,
      ModelVersion.Decision decision)
      throws IOException {
    FileSystem fs = fs();
    RegistryFiles.checkSupported(hadoop, root);
    for (String required : RunFolder.REQUIRED) {
      if (!HadoopFiles.exists(hadoop, runDir + "/" + required)) {
        throw new RegistryException("cannot register " + runDir + ": it has no " + required);
      }
    }
    Path staging = new Path(versions(name), STAGING_PREFIX + UUID.randomUUID() + ".tmp");
    fs.mkdirs(staging);
    try {
      Map<String, String> sha = new LinkedHashMap<>();
      for (String file : RunFolder.KEPT) {
        Path from = new Path(runDir, file);
        if (fs.exists(from)) {
          sha.put(file, copy(from.getFileSystem(hadoop), from, fs, new Path(staging, file)));
        }
      }
      Map<String, Double> metrics = new LinkedHashMap<>();
      Map<String, String> primary = new LinkedHashMap<>();
      if (sha.containsKey(RunFolder.METRICS_FILE)) {
        EvaluateJob.Report report = EvaluateJob.readReport(hadoop, runDir);
        report
            .tasks()
            .forEach(
                (task, m) -> {
                  metrics.put(task, m.metrics().get(m.primaryMetric()));
                  primary.put(task, m.primaryMetric());
                });
      }
      try (RegistryLock lock = writeLock(name, "register " + runId)) {
        String version = String.format("v%04d", highestNumber(name) + 1);
        ModelVersion v =
            new ModelVersion(
                name,
                version,
                Instant.now().toString(),
                runId,
                CodeVersion.get(),
                data,
                metrics,
                primary,
                objective,
                warmStartedFrom,
                sha,
                decision);
        HadoopFiles.writeString(
            hadoop, new Path(staging, VERSION_FILE).toString(), JSON.writeValueAsString(v));
        lock.check();
        RegistryFiles.renameNew(hadoop, staging, versionDir(name, version));
        LOG.info("registered {} {} from {}", name, version, runDir);
        return v;
      }
    } finally {
      if (fs.exists(staging)) {
        fs.delete(staging, true);
      }
    }
  }

  private static final String STAGING_PREFIX = ".staging-";

  /** The highest version number ever given in this model: its versions and its damaged folders. */
  private int highestNumber(String name) throws IOException {
    int highest = 0;
    for (Path dir : List.of(versions(name), new Path(model(name), "damaged"))) {
      if (fs().exists(dir)) {
        for (FileStatus s : fs().listStatus(dir)) {
          java.util.regex.Matcher m = NUMBERED.matcher(s.getPath().getName());
          if (m.matches()) {
            highest = Math.max(highest, Integer.parseInt(m.group(1).substring(1)));
          }
        }
      }
    }
    return highest;
  }

  /** Copies a file, returning the sha256 of what was written. */
  private static String copy(FileSystem fromFs, Path from, FileSystem toFs, Path to)
      throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(fromFs.open(from), digest);
        OutputStream out = toFs.create(to, false)) {
      in.transferTo(out);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** The sha256 of a file's content, in hex. */
  public static String sha256(FileSystem fs, Path file) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(fs.open(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Checks every file of a version against its recorded sha256; returns the version's folder.
   * A missing, truncated or changed file is refused with its name and both hashes.
   */
  public String verify(String name, String version) throws IOException {
    ModelVersion v = show(name, version);
    Path dir = versionDir(name, version);
    for (Map.Entry<String, String> e : v.sha256().entrySet()) {
      Path file = new Path(dir, e.getKey());
      if (!fs().exists(file)) {
        throw new RegistryException(
            "model " + name + " " + version + " is incomplete: " + file + " is missing");
      }
      String actual;
      try {
        actual = sha256(fs(), file);
      } catch (org.apache.hadoop.fs.ChecksumException ce) {
        throw new RegistryException(
            "model "
                + name
                + " "
                + version
                + " is damaged: "
                + file
                + " fails the filesystem's checksum ("
                + ce.getMessage()
                + "); it was changed or truncated after "
                + "registration ("
                + fs().getFileStatus(file).getLen()
                + " bytes now)");
      }
      if (!actual.equals(e.getValue())) {
        throw new RegistryException(
            "model "
                + name
                + " "
                + version
                + " is damaged: "
                + file
                + " has sha256 "
                + actual
                + " ("
                + fs().getFileStatus(file).getLen()
                + " bytes), the registry recorded "
                + e.getValue()
                + "; it was changed or truncated after registration");
      }
    }
    return dir.toString();
  }

  /** The folder of a version (the promoted one when {@code version} is null), its files verified. */
  public String resolve(String name, String version) throws IOException {
    String v =
        version != null
            ? version
            : promoted(name)
                .orElseThrow(
                    () ->
                        new RegistryException(
                            "model "
                                + name
                                + " has no promoted version in "
                                + root
                                + "; promote one, or name a version"));
    return verify(name, v);
  }

  /** Makes {@code version} the promoted one (after verifying it); returns the pointer written. */
  public Pointer promote(String name, String version) throws IOException {
    return promote(name, version, by(), null);
  }

  /**
   * Makes {@code version} the promoted one, under the write lock, if the promoted version is still
   * {@code expected} ({@code null}: whatever it is): a retrain promotes only over the version it
   * compared against, never over a promotion or rollback made while it ran.
   *
   * @throws PointerMovedException when the promoted version is not {@code expected}
   */
  public Pointer promote(String name, String version, String by, Optional<String> expected)
      throws IOException {
    verify(name, version);
    try (RegistryLock lock = writeLock(name, "promote " + version)) {
      Optional<Pointer> before = pointer(name);
      String current = before.map(Pointer::version).orElse(null);
      if (expected != null && !java.util.Objects.equals(expected.orElse(null), current)) {
        Event last =
            before
                .map(p -> p.history().isEmpty() ? null : p.history().get(p.history().size() - 1))
                .orElse(null);
        throw new PointerMovedException(
            "model "
                + name
                + ": the promoted version is "
                + current
                + ", not "
                + expected.orElse("none")
                + (last == null
                    ? ""
                    : " (" + last.action() + " by " + last.by() + " at " + last.at() + ")")
                + "; "
                + version
                + " is not promoted over it");
      }
      List<String> stack = new ArrayList<>(before.map(Pointer::stack).orElse(List.of()));
      List<Event> history = new ArrayList<>(before.map(Pointer::history).orElse(List.of()));
      stack.add(version);
      String now = Instant.now().toString();
      history.add(new Event("promote", version, current, now, by));
      Pointer p = new Pointer(version, stack, history, now);
      lock.check();
      writePointer(name, p);
      LOG.info("promoted {} {}", name, version);
      return p;
    }
  }

  /** Promotes again the version promoted before the current one; returns the pointer written. */
  public Pointer rollback(String name) throws IOException {
    return rollback(name, by());
  }

  /** As {@link #rollback(String)}; the rollback is recorded in the history, which is never shortened. */
  public Pointer rollback(String name, String by) throws IOException {
    try (RegistryLock lock = writeLock(name, "rollback")) {
      Pointer current =
          pointer(name)
              .orElseThrow(
                  () ->
                      new RegistryException(
                          "model " + name + " has no promoted version to roll back"));
      if (current.stack().size() < 2) {
        throw new RegistryException(
            "model "
                + name
                + ": "
                + current.version()
                + " is the only version on the promotion stack; there is nothing to roll back to");
      }
      List<String> stack = new ArrayList<>(current.stack().subList(0, current.stack().size() - 1));
      String previous = stack.get(stack.size() - 1);
      verify(name, previous);
      List<Event> history = new ArrayList<>(current.history());
      String now = Instant.now().toString();
      history.add(new Event("rollback", previous, current.version(), now, by));
      Pointer p = new Pointer(previous, stack, history, now);
      lock.check();
      writePointer(name, p);
      LOG.info("rolled {} back from {} to {}", name, current.version(), previous);
      return p;
    }
  }

  /** Writes the pointer to a new file, then renames it over the old one in one step. */
  private void writePointer(String name, Pointer p) throws IOException {
    Path target = new Path(model(name), POINTER_FILE);
    Path tmp = new Path(model(name), "." + POINTER_FILE + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs().create(tmp, false)) {
      out.write(JSON.writeValueAsBytes(p));
    }
    FileSystem fs = fs();
    RegistryFiles.fileContext(fs, target, hadoop)
        .rename(fs.makeQualified(tmp), fs.makeQualified(target), Options.Rename.OVERWRITE);
  }

  /** What {@link #gc} did. */
  public record Cleaned(List<String> movedAside, List<String> removedStaging, List<String> kept) {}

  /**
   * Cleans what crashes leave, under the write lock: staging folders and temporary pointer files
   * not changed for {@code olderThan} are removed (they were never part of a version); damaged
   * version folders are moved to {@code NAME/damaged/VERSION-TIME}, except the promoted one,
   * which is kept and reported (roll back or promote another first).
   */
  public Cleaned gc(String name, Duration olderThan) throws IOException {
    List<String> moved = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    long cutoff = System.currentTimeMillis() - olderThan.toMillis();
    try (RegistryLock lock = writeLock(name, "gc")) {
      for (Path dir : List.of(versions(name), model(name))) {
        if (!fs().exists(dir)) {
          continue;
        }
        for (FileStatus s : fs().listStatus(dir)) {
          String n = s.getPath().getName();
          boolean leftover =
              n.startsWith(STAGING_PREFIX)
                  || (n.startsWith(".v") && n.endsWith(".tmp"))
                  || (n.startsWith("." + POINTER_FILE + ".") && n.endsWith(".tmp"));
          if (leftover && s.getModificationTime() < cutoff) {
            lock.check();
            fs().delete(s.getPath(), true);
            removed.add(s.getPath().toString());
            LOG.info("removed the leftover {}", s.getPath());
          }
        }
      }
      String promoted = promoted(name).orElse(null);
      for (Damaged d : damaged(name)) {
        if (d.version().equals(promoted)) {
          kept.add(d.version() + " (promoted: roll back or promote another version first)");
          continue;
        }
        Path aside =
            new Path(
                new Path(model(name), "damaged"),
                d.version() + "-" + Instant.now().toString().replace(':', '-'));
        lock.check();
        fs().mkdirs(aside.getParent());
        RegistryFiles.renameNew(hadoop, new Path(d.folder()), aside);
        moved.add(d.version() + " -> " + aside);
        LOG.warn(
            "moved the damaged version {} of {} aside to {}: {}",
            d.version(),
            name,
            aside,
            d.reason());
      }
    }
    return new Cleaned(moved, removed, kept);
  }

  /**
   * The lock a retrain holds while it works; one retrain of a model at a time. Another owner's lock
   * is refused at once; a lock of the same owner (an earlier attempt of the same run, crashed on
   * another host or still finishing) is waited for until it is released or goes stale.
   */
  public RegistryLock lock(String name, String owner, Duration staleAfter) throws IOException {
    Path dir = new Path(new Path(model(name), "locks"), "retrain");
    RegistryFiles.checkSupported(hadoop, dir);
    RegistryLock.Holder held = RegistryLock.current(hadoop, dir);
    Duration wait = Duration.ZERO;
    if (held != null && !held.released() && owner.equals(held.owner())) {
      wait = staleAfter.plus(Duration.ofMinutes(1));
      LOG.info(
          "the lock {} is held by an earlier attempt of {} ({}); waiting up to {} for it to end or go stale",
          dir,
          owner,
          held.describe(),
          wait);
    }
    return RegistryLock.acquire(hadoop, dir, owner, staleAfter, wait);
  }

  private RegistryLock writeLock(String name, String what) throws IOException {
    return RegistryLock.acquire(
        hadoop,
        new Path(new Path(model(name), "locks"), "write"),
        what + " (" + by() + ")",
        WRITE_LOCK_STALE,
        WRITE_LOCK_WAIT);
  }

  /** Who changes the registry: user and host, for the history. */
  static String by() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "?";
    }
    return System.getProperty("user.name", "?") + "@" + host;
  }

  /** The promoted version changed since the caller looked. */
  public static final class PointerMovedException extends RegistryException {
    private static final long serialVersionUID = 1L;

    PointerMovedException(String message) {
      super(message);
    }
  }
}
