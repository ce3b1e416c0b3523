package org.mtlspark.driver;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.run.RunFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A folder a command creates, checked before Spark starts: a folder that exists is refused in one
 * line naming it, unless the command was asked to {@code --overwrite} and the folder holds only
 * what this command writes (its {@code entries}, at least its {@code marker}); then the folder is
 * moved aside while the command runs, deleted once the command returns, and kept (put back when
 * the failed run left nothing in its place) if it fails. A folder that holds one of the
 * command's inputs, or the root of a filesystem, is never replaced.
 */
public final class OutputFolder {
  private static final Logger LOG = LoggerFactory.getLogger(OutputFolder.class);

  private final String option;
  private final String path;
  private final String command;
  private final Set<String> entries;
  private final String marker;
  private final boolean overwrite;
  private final List<String> inputs;
  private boolean replace;

  /** Where the earlier output waits while the command runs, once set aside. */
  private Path setAside;

  /**
   * @param option the command-line option naming the folder, for messages ({@code --out})
   * @param command the command, for messages ({@code prep})
   * @param entries what the command writes directly in the folder (files and folders)
   * @param marker the entry every complete or partial output of the command has
   * @param overwrite whether the user asked to replace an existing output
   * @param inputs paths the command reads, which the folder must not hold
   */
  OutputFolder(
      String option,
      String path,
      String command,
      Set<String> entries,
      String marker,
      boolean overwrite,
      List<String> inputs) {
    this.option = option;
    this.path = path;
    this.command = command;
    this.entries = Set.copyOf(entries);
    this.marker = marker;
    this.overwrite = overwrite;
    this.inputs = inputs.stream().filter(i -> i != null && !i.isEmpty()).toList();
  }

  /** An output folder of a command that offers no {@code --overwrite}: it must not exist. */
  static OutputFolder fresh(String option, String path, String command) {
    return new OutputFolder(option, path, command, Set.of(), "", false, List.of());
  }

  String path() {
    return path;
  }

  /** Checks the folder before anything starts; a {@link CommandException} (exit 2) names the problem. */
  void check(Configuration conf) {
    try {
      Path target = new Path(path);
      FileSystem fs = target.getFileSystem(conf);
      Path qualified = fs.makeQualified(target);
      if (qualified.getParent() == null) {
        throw usage(option + " " + path + " is the root of a filesystem; name a folder to create");
      }
      checkPlace(conf, option, path);
      if (!fs.exists(qualified)) {
        return;
      }
      if (!overwrite) {
        throw usage(
            option
                + " "
                + path
                + " already exists; choose another "
                + option
                + (entries.isEmpty()
                    ? ""
                    : " or pass --overwrite to replace an earlier output of " + command));
      }
      for (String input : inputs) {
        Path in = new Path(input);
        if (isWithin(in.getFileSystem(conf).makeQualified(in), qualified)) {
          throw usage("--overwrite refuses " + path + ": it holds the input " + input);
        }
      }
      FileStatus status = fs.getFileStatus(qualified);
      if (!status.isDirectory()) {
        throw usage(
            "--overwrite refuses " + path + ": it is a file, not an output folder of " + command);
      }
      Set<String> found = new TreeSet<>();
      Set<String> foreign = new TreeSet<>();
      for (FileStatus child : fs.listStatus(qualified)) {
        String name = child.getPath().getName();
        found.add(name);
        if (!ours(name)) {
          foreign.add(name);
        }
      }
      if (found.isEmpty()) {
        replace = true; // an empty folder: nothing to lose
        return;
      }
      if (!found.contains(marker)) {
        throw usage(
            "--overwrite refuses "
                + path
                + ": it holds no "
                + marker
                + ", so it is not an output of "
                + command
                + " (it holds "
                + describe(found)
                + ")");
      }
      if (!foreign.isEmpty()) {
        throw usage(
            "--overwrite refuses "
                + path
                + ": besides the output of "
                + command
                + " it holds "
                + describe(foreign)
                + ", which "
                + command
                + " did not write");
      }
      replace = true;
    } catch (IOException e) {
      throw usage("cannot check " + option + " " + path + ": " + e.getMessage());
    }
  }

  /**
   * Moves the earlier output that {@link #check} accepted for replacement aside, to a hidden
   * folder beside it ({@code .NAME-replaced-<uuid>}), so that the command writes a new one; {@link
   * #finish} deletes it once the command has returned, or keeps it (back in place when it can) if
   * the command failed. Does nothing otherwise.
   */
  void setAside(Configuration conf) throws IOException {
    if (!replace) {
      return;
    }
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    Path aside =
        new Path(
            target.getParent(),
            "." + target.getName() + "-replaced-" + java.util.UUID.randomUUID());
    if (!fs.rename(target, aside)) {
      throw new IOException(
          "--overwrite: cannot move the earlier output " + path + " aside to " + aside);
    }
    setAside = aside;
    LOG.info(
        "--overwrite: moved the earlier output of {} in {} aside until this run ends",
        command,
        path);
  }

  /**
   * After the command: when it returned ({@code completed}), deletes the earlier output set aside.
   * When it failed, puts the earlier output back if the run left nothing in its place, and else
   * keeps it where it was set aside, naming that place in the log: it is never deleted.
   */
  void finish(Configuration conf, boolean completed) throws IOException {
    if (setAside == null) {
      return;
    }
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    if (completed) {
      fs.delete(setAside, true);
      LOG.info("--overwrite: deleted the earlier output of {} in {}", command, path);
    } else if (!fs.exists(target) && fs.rename(setAside, target)) {
      LOG.warn(
          "--overwrite: the run failed; the earlier output of {} is back in {}", command, path);
    } else {
      LOG.warn(
          "--overwrite: the run failed; the earlier output of {} is kept in {}", command, setAside);
    }
    setAside = null;
  }

  /**
   * The names in a {@code --out} folder that a command resumes or continues (train, tune), after
   * the checks such a folder shares: a place one may write ({@link #checkPlace}), not holding the
   * input {@code --prep}, and not a file; {@code what} names the folder in messages ("run
   * folder"). Empty when the folder does not exist yet.
   */
  static List<String> resumableEntries(Configuration hadoop, String out, String prep, String what)
      throws IOException {
    checkPlace(hadoop, "--out", out);
    Path folder = new Path(out);
    FileSystem fs = folder.getFileSystem(hadoop);
    Path data = new Path(prep);
    if (isWithin(data.getFileSystem(hadoop).makeQualified(data), fs.makeQualified(folder))) {
      // A prep output holds a manifest.json, as an interrupted run does: it would be written over.
      throw usage(
          "--out " + out + " holds the input --prep " + prep + "; name a " + what + " of its own");
    }
    if (!fs.exists(folder)) {
      return List.of();
    }
    if (!fs.getFileStatus(folder).isDirectory()) {
      throw usage("--out " + out + " is a file; name a new " + what);
    }
    return Arrays.stream(fs.listStatus(folder))
        .map(FileStatus::getPath)
        .map(Path::getName)
        .sorted()
        .toList();
  }

  /**
   * Checks, before anything starts, where a command would write {@code path} (a folder or a file,
   * new or not): not inside a model registry's version folder, not below a file, and in a folder it
   * can write. A {@link CommandException} (exit 2) names the option and the path in one line.
   */
  public static void checkPlace(Configuration conf, String option, String path) {
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(conf);
      Path qualified = fs.makeQualified(target);
      Path version = registryVersionHolding(fs, qualified);
      if (version != null) {
        throw usage(
            option
                + " "
                + path
                + " is inside the registry version "
                + version
                + " (it holds "
                + ModelRegistry.VERSION_FILE
                + "): a registry is changed only through mtl registry and retrain; "
                + "write elsewhere");
      }
      Path at = qualified.getParent();
      while (at != null && !fs.exists(at)) {
        at = at.getParent();
      }
      if (at != null && !fs.getFileStatus(at).isDirectory()) {
        throw usage(option + " " + path + " cannot be written: " + at + " is a file, not a folder");
      }
    } catch (IOException e) {
      throw usage("cannot check " + option + " " + path + ": " + firstLine(e));
    }
    try {
      HadoopFiles.checkWritable(conf, path);
    } catch (IOException e) {
      throw usage(option + " " + path + " cannot be written: " + firstLine(e));
    }
  }

  /**
   * The registry version folder (one holding {@link ModelRegistry#VERSION_FILE} beside the model)
   * that is {@code qualified} or holds it, or null.
   */
  static Path registryVersionHolding(FileSystem fs, Path qualified) throws IOException {
    for (Path at = qualified; at != null; at = at.getParent()) {
      if (fs.exists(new Path(at, ModelRegistry.VERSION_FILE))
          && fs.exists(new Path(at, RunFolder.MODEL_FILE))) {
        return at;
      }
    }
    return null;
  }

  private static String firstLine(IOException e) {
    String m = e.getMessage() == null ? e.toString() : e.getMessage();
    return m.lines().findFirst().orElse(m);
  }

  /** An entry the command writes, or the checksum file a local filesystem keeps beside one. */
  private boolean ours(String name) {
    return entries.contains(name)
        || name.startsWith(".")
            && name.endsWith(".crc")
            && entries.contains(name.substring(1, name.length() - 4));
  }

  /** Whether {@code p} is {@code folder} or lies below it (both qualified). */
  public static boolean isWithin(Path p, Path folder) {
    for (Path at = p; at != null; at = at.getParent()) {
      if (at.equals(folder)) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Set<String> names) {
    if (names.isEmpty()) {
      return "nothing";
    }
    List<String> shown = new ArrayList<>(names).subList(0, Math.min(5, names.size()));
    return String.join(", ", shown)
        + (names.size() > shown.size() ? " and " + (names.size() - shown.size()) + " more" : "");
  }

  private static CommandException usage(String message) {
    return new CommandException(ExitCodes.USAGE, message);
  }
}
