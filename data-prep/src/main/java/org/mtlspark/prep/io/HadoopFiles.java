package org.mtlspark.prep.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Small file operations on a Hadoop filesystem, shared by prep, training and the driver. */
public final class HadoopFiles {
  private HadoopFiles() {}

  /** Renames {@code from} to {@code to}, failing loudly when the filesystem refuses. */
  public static void renameOrFail(FileSystem fs, Path from, Path to) throws IOException {
    if (to.getParent() != null) {
      fs.mkdirs(to.getParent());
    }
    if (!fs.rename(from, to)) {
      throw new IOException("cannot rename " + from + " to " + to);
    }
  }

  /**
   * Checks, before any work starts, that a command's output folder does not exist yet and can be
   * created: an existing one is refused (a complete-looking output is never written over).
   */
  public static void checkNewOutput(Configuration conf, String out) throws IOException {
    Path target = new Path(out);
    if (target.getFileSystem(conf).exists(target)) {
      throw new org.apache.hadoop.fs.FileAlreadyExistsException(
          "output " + target + " already exists; choose another --out or remove it");
    }
    checkWritable(conf, out);
  }

  /**
   * Fails before any work starts, naming the path, when the folder {@code path} would be created in
   * cannot be written: creates that folder if needed and writes and removes a hidden probe file.
   */
  public static void checkWritable(Configuration conf, String path) throws IOException {
    Path target = new Path(path);
    Path parent = target.getParent() == null ? target : target.getParent();
    FileSystem fs = target.getFileSystem(conf);
    try {
      fs.mkdirs(parent);
      Path probe = new Path(parent, "._mtl-write-check-" + UUID.randomUUID());
      fs.create(probe, false).close();
      fs.delete(probe, false);
    } catch (org.apache.hadoop.security.AccessControlException e) {
      String reason =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new IOException(
          "cannot write " + target + ": permission denied in " + parent + " (" + reason + ")", e);
    }
  }

  /** Writes {@code text} to {@code path} atomically: a hidden temporary file, then a rename. */
  public static void writeString(Configuration conf, String path, String text) throws IOException {
    writeBytes(conf, path, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Writes {@code bytes} to {@code path} atomically: a hidden temporary file, then a rename. */
  public static void writeBytes(Configuration conf, String path, byte[] bytes) throws IOException {
    Path target = new Path(path);
    FileSystem fs = target.getFileSystem(conf);
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs.create(tmp, true)) {
      out.write(bytes);
    }
    if (fs.exists(target)) {
      fs.delete(target, false);
    }
    renameOrFail(fs, tmp, target);
  }

  public static String readString(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    try (InputStream in = fs.open(p)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public static boolean exists(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    return p.getFileSystem(conf).exists(p);
  }

  /**
   * The data files of a source: the path itself if it is a file, else the files under it
   * (recursively), sorted by name, skipping hidden ({@code .}) and marker ({@code _}) files. A path
   * with a wildcard ({@code *}, {@code ?}, {@code [abc]}, {@code {a,b}}; Hadoop's glob) that does not
   * exist as written stands for every file and folder it matches.
   */
  public static List<String> listDataFiles(Configuration conf, String path) throws IOException {
    return listDataFileStatuses(conf, path).stream().map(f -> f.getPath().toString()).toList();
  }

  /** As {@link #listDataFiles}, with each file's status (its length among others), in path order. */
  public static List<FileStatus> listDataFileStatuses(Configuration conf, String path)
      throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    List<FileStatus> out = new ArrayList<>();
    if (isGlob(path) && !fs.exists(p)) {
      FileStatus[] matched = fs.globStatus(p);
      if (matched == null || matched.length == 0) {
        throw new IOException("source " + p + " matches no file");
      }
      for (FileStatus m : matched) {
        collect(fs, m, out);
      }
    } else {
      if (!fs.exists(p)) {
        throw new IOException("source " + p + " does not exist");
      }
      collect(fs, fs.getFileStatus(p), out);
    }
    out.sort(Comparator.comparing(f -> f.getPath().toString()));
    return out;
  }

  /**
   * Whether a source path names something: a file or folder as written, or, with a wildcard, at
   * least one match.
   */
  public static boolean sourceExists(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(conf);
    if (fs.exists(p)) {
      return true;
    }
    FileStatus[] matched = isGlob(path) ? fs.globStatus(p) : null;
    return matched != null && matched.length > 0;
  }

  /**
   * The folder a source path's files are under: the path itself, or for a wildcard path that does
   * not exist as written, its folders before the first segment with a wildcard.
   */
  public static String sourceBase(Configuration conf, String path) throws IOException {
    Path p = new Path(path);
    if (!isGlob(path) || p.getFileSystem(conf).exists(p)) {
      return path;
    }
    while (p.getParent() != null && isGlob(p.toString())) {
      p = p.getParent();
    }
    return p.toString();
  }

  /** Whether {@code path} holds one of Hadoop's glob wildcards. */
  public static boolean isGlob(String path) {
    return path.indexOf('*') >= 0
        || path.indexOf('?') >= 0
        || path.indexOf('[') >= 0
        || path.indexOf('{') >= 0;
  }

  private static void collect(FileSystem fs, FileStatus status, List<FileStatus> out)
      throws IOException {
    String name = status.getPath().getName();
    if (name.startsWith(".") || name.startsWith("_")) {
      return;
    }
    if (status.isDirectory()) {
      for (FileStatus child : fs.listStatus(status.getPath())) {
        collect(fs, child, out);
      }
    } else {
      out.add(status);
    }
  }

  /** Resolves a source path against a root, unless it is absolute or carries a scheme. */
  public static String resolve(String root, String path) {
    Path p = new Path(path);
    if (p.isAbsolute() || p.toUri().getScheme() != null || root.isEmpty()) {
      return path;
    }
    return new Path(root, path).toString();
  }
}
