package org.mtlspark.workers.registry;

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
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.eval.EvaluateJob;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versions of named models on any Hadoop filesystem:
 *
 * <pre>
 * ROOT/NAME/versions/v0001/  model.zip manifest.json config.yaml metrics.json ... version.json
 * ROOT/NAME/promoted.json     the promoted version and the promotion history
 * ROOT/NAME/registry.lock     held by a retrain while it works
 * </pre>
 *
 * A version appears whole (written to a hidden folder, then renamed) and is never changed.
 * Promotion and rollback replace {@code promoted.json} by writing a new file and renaming it over
 * the old one in one step. Every file of a version has its sha256 in {@code version.json}; loading
 * a version checks them all and refuses a changed, truncated or missing file.
 */
public final class ModelRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern VERSION = Pattern.compile("v[0-9]{4,9}");
  public static final String VERSION_FILE = "version.json";
  public static final String POINTER_FILE = "promoted.json";
  public static final String LOCK_FILE = "registry.lock";
  /** The files of a run that a version keeps; the first three are required. */
  public static final List<String> RUN_FILES = List.of("model.zip", "manifest.json", "config.yaml", "metrics.json",
      "training.json", "metrics-history.json");

  /** The content of promoted.json: the promoted version, and every promotion in order (the last is current). */
  public record Pointer(String version, List<String> history, String updated) {}

  private final Configuration hadoop;
  private final Path root;

  public ModelRegistry(Configuration hadoop, String root) {
    this.hadoop = hadoop;
    this.root = new Path(root);
  }

  /** A model name: letters, digits, '_', '-', '.', starting with a letter or digit, at most 64; never a path. */
  public static String checkName(String name) throws RegistryException {
    if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
      throw new RegistryException("invalid model name \"" + name + "\": use letters, digits, '_', '-' and '.', "
          + "starting with a letter or digit, at most 64 characters, no \"..\"");
    }
    return name;
  }

  static String checkVersion(String version) throws RegistryException {
    if (version == null || !VERSION.matcher(version).matches()) {
      throw new RegistryException("invalid version \"" + version + "\": versions are named v0001, v0002, ...");
    }
    return version;
  }

  private FileSystem fs() throws IOException {
    return root.getFileSystem(hadoop);
  }

  private Path model(String name) throws RegistryException {
    return new Path(root, checkName(name));
  }

  /** The folder of a version. */
  public Path versionDir(String name, String version) throws RegistryException {
    return new Path(new Path(model(name), "versions"), checkVersion(version));
  }

  /** Every version of a model, oldest first. */
  public List<ModelVersion> list(String name) throws IOException {
    Path versions = new Path(model(name), "versions");
    List<ModelVersion> out = new ArrayList<>();
    if (!fs().exists(versions)) {
      return out;
    }
    for (FileStatus s : fs().listStatus(versions)) {
      if (s.isDirectory() && VERSION.matcher(s.getPath().getName()).matches()) {
        out.add(show(name, s.getPath().getName()));
      }
    }
    out.sort(Comparator.comparing(ModelVersion::version));
    return out;
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

  public ModelVersion show(String name, String version) throws IOException {
    Path file = new Path(versionDir(name, version), VERSION_FILE);
    if (!fs().exists(file)) {
      throw new RegistryException("model " + name + " has no version " + version + " in " + root);
    }
    return JSON.readValue(HadoopFiles.readString(hadoop, file.toString()), ModelVersion.class);
  }

  /** The version a run id produced, if any. */
  public Optional<ModelVersion> findRun(String name, String runId) throws IOException {
    return list(name).stream().filter(v -> runId.equals(v.runId())).findFirst();
  }

  public Optional<Pointer> pointer(String name) throws IOException {
    Path file = new Path(model(name), POINTER_FILE);
    if (!fs().exists(file)) {
      return Optional.empty();
    }
    return Optional.of(JSON.readValue(HadoopFiles.readString(hadoop, file.toString()), Pointer.class));
  }

  public Optional<String> promoted(String name) throws IOException {
    return pointer(name).map(Pointer::version);
  }

  /**
   * Copies a run's files into a new version (the next number), with their sha256 and the given
   * description. The test metrics come from the run's metrics.json when it has one.
   */
  public ModelVersion register(String name, String runDir, String runId, ModelVersion.DataDescription data,
      double objective, String warmStartedFrom) throws IOException {
    FileSystem fs = fs();
    for (String required : RUN_FILES.subList(0, 3)) {
      if (!HadoopFiles.exists(hadoop, runDir + "/" + required)) {
        throw new RegistryException("cannot register " + runDir + ": it has no " + required);
      }
    }
    List<ModelVersion> existing = list(name);
    int next = existing.stream().mapToInt(v -> Integer.parseInt(v.version().substring(1))).max().orElse(0) + 1;
    String version = String.format("v%04d", next);
    Path target = versionDir(name, version);
    Path staging = new Path(target.getParent(), "." + version + "-" + UUID.randomUUID() + ".tmp");
    fs.mkdirs(staging);
    Map<String, String> sha = new LinkedHashMap<>();
    for (String file : RUN_FILES) {
      Path from = new Path(runDir, file);
      if (fs.exists(from)) {
        sha.put(file, copy(from.getFileSystem(hadoop), from, fs, new Path(staging, file)));
      }
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    Map<String, String> primary = new LinkedHashMap<>();
    if (sha.containsKey(EvaluateJob.METRICS_FILE)) {
      EvaluateJob.Report report = EvaluateJob.readReport(hadoop, runDir);
      report.tasks().forEach((task, m) -> {
        metrics.put(task, m.metrics().get(m.primaryMetric()));
        primary.put(task, m.primaryMetric());
      });
    }
    ModelVersion v = new ModelVersion(name, version, Instant.now().toString(), runId, CodeVersion.get(), data, metrics,
        primary, objective, warmStartedFrom, sha);
    HadoopFiles.writeString(hadoop, new Path(staging, VERSION_FILE).toString(), JSON.writeValueAsString(v));
    HadoopFiles.renameOrFail(fs, staging, target);
    LOG.info("registered {} {} from {}", name, version, runDir);
    return v;
  }

  /** Copies a file, returning the sha256 of what was written. */
  private static String copy(FileSystem fromFs, Path from, FileSystem toFs, Path to) throws IOException {
    MessageDigest digest = sha256();
    try (InputStream in = new DigestInputStream(fromFs.open(from), digest); OutputStream out = toFs.create(to, false)) {
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
        throw new RegistryException("model " + name + " " + version + " is incomplete: " + file + " is missing");
      }
      String actual;
      try {
        actual = sha256(fs(), file);
      } catch (org.apache.hadoop.fs.ChecksumException ce) {
        throw new RegistryException("model " + name + " " + version + " is damaged: " + file
            + " fails the filesystem's checksum (" + ce.getMessage() + "); it was changed or truncated after "
            + "registration (" + fs().getFileStatus(file).getLen() + " bytes now)");
      }
      if (!actual.equals(e.getValue())) {
        throw new RegistryException("model " + name + " " + version + " is damaged: " + file + " has sha256 "
            + actual + " (" + fs().getFileStatus(file).getLen() + " bytes), the registry recorded " + e.getValue()
            + "; it was changed or truncated after registration");
      }
    }
    return dir.toString();
  }

  /** The folder of a version (the promoted one when {@code version} is null), its files verified. */
  public String resolve(String name, String version) throws IOException {
    String v = version != null ? version : promoted(name).orElseThrow(() -> new RegistryException(
        "model " + name + " has no promoted version in " + root + "; promote one, or name a version"));
    return verify(name, v);
  }

  /** Makes {@code version} the promoted one (after verifying it); returns the pointer written. */
  public Pointer promote(String name, String version) throws IOException {
    verify(name, version);
    List<String> history = new ArrayList<>(pointer(name).map(Pointer::history).orElse(List.of()));
    history.add(version);
    Pointer p = new Pointer(version, history, Instant.now().toString());
    writePointer(name, p);
    LOG.info("promoted {} {}", name, version);
    return p;
  }

  /** Promotes again the version promoted before the current one; returns the pointer written. */
  public Pointer rollback(String name) throws IOException {
    Pointer current = pointer(name).orElseThrow(() -> new RegistryException("model " + name
        + " has no promoted version to roll back"));
    if (current.history().size() < 2) {
      throw new RegistryException("model " + name + ": " + current.version()
          + " is the only version ever promoted; there is nothing to roll back to");
    }
    List<String> history = new ArrayList<>(current.history().subList(0, current.history().size() - 1));
    String previous = history.get(history.size() - 1);
    verify(name, previous);
    Pointer p = new Pointer(previous, history, Instant.now().toString());
    writePointer(name, p);
    LOG.info("rolled {} back from {} to {}", name, current.version(), previous);
    return p;
  }

  /** Writes the pointer to a new file, then renames it over the old one in one step. */
  private void writePointer(String name, Pointer p) throws IOException {
    Path target = new Path(model(name), POINTER_FILE);
    Path tmp = new Path(model(name), "." + POINTER_FILE + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs().create(tmp, false)) {
      out.write(JSON.writeValueAsBytes(p));
    }
    FileContext.getFileContext(target.toUri(), hadoop).rename(tmp, target, Options.Rename.OVERWRITE);
  }

  /**
   * Takes the registry lock of a model: creates the lock file, which fails when it exists. A lock
   * older than {@code staleAfter} is taken to belong to a crashed run and is broken, with a warning.
   */
  public Lock lock(String name, String owner, Duration staleAfter) throws IOException {
    Path file = new Path(model(name), LOCK_FILE);
    HadoopFiles.checkWritable(hadoop, file.toString());
    String token = UUID.randomUUID().toString();
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("owner", owner);
    content.put("host", InetAddress.getLocalHost().getHostName());
    content.put("since", Instant.now().toString());
    content.put("token", token);
    for (int attempt = 0; attempt < 2; attempt++) {
      try (OutputStream out = fs().create(file, false)) {
        out.write(JSON.writeValueAsBytes(content));
        return new Lock(file, token);
      } catch (FileAlreadyExistsException e) {
        Map<?, ?> held = readLock(file);
        Instant since = held == null ? Instant.EPOCH : Instant.parse(String.valueOf(held.get("since")));
        if (Duration.between(since, Instant.now()).compareTo(staleAfter) > 0) {
          LOG.warn("breaking the stale lock {} held by {} since {} (older than {})", file,
              held == null ? "?" : held.get("owner"), since, staleAfter);
          fs().delete(file, false);
          continue;
        }
        throw new RegistryException("model " + name + " is locked by " + (held == null ? "?" : held.get("owner"))
            + " on " + (held == null ? "?" : held.get("host")) + " since " + since + " (" + file
            + "): another retrain is writing the registry; it is taken to be stale after " + staleAfter);
      }
    }
    throw new RegistryException("cannot take the lock " + file);
  }

  private Map<?, ?> readLock(Path file) {
    try {
      return JSON.readValue(HadoopFiles.readString(hadoop, file.toString()), Map.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** A held registry lock; closing releases it if it is still this holder's. */
  public final class Lock implements AutoCloseable {
    private final Path file;
    private final String token;

    Lock(Path file, String token) {
      this.file = file;
      this.token = token;
    }

    @Override
    public void close() throws IOException {
      Map<?, ?> held = readLock(file);
      if (held != null && token.equals(held.get("token"))) {
        fs().delete(file, false);
      } else {
        LOG.warn("the lock {} is no longer this run's; leaving it", file);
      }
    }
  }
}
