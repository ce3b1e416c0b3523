package org.mtlspark.operate.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The two filesystem operations the registry's correctness rests on, each done so that it either
 * happens whole and alone or not at all:
 *
 * <ul>
 *   <li>{@link #publishNew}: a file appears with its whole content, and only if no file of that
 *       name exists (of two callers, exactly one wins);
 *   <li>{@link #renameNew}: a folder is renamed to a name that does not exist yet, and never
 *       moved inside an existing folder of that name.
 * </ul>
 *
 * <p>On a local or NFS mount the first is a hard link (atomic and exclusive in POSIX) from a file
 * written beside it; on HDFS it is a rename that refuses an existing target, which the NameNode
 * does in one step. Object stores (s3a, gs, abfs, ...) give neither, so a registry there is refused
 * with a message rather than silently racing.
 */
final class RegistryFiles {
  /** Filesystems whose create and rename the registry can rely on. */
  static final Set<String> SUPPORTED = Set.of("file", "hdfs", "viewfs");

  private RegistryFiles() {}

  /** Refuses, with the reason and what to do, a registry on a filesystem without exclusive create and atomic rename. */
  static void checkSupported(Configuration hadoop, Path root) throws RegistryException {
    String scheme =
        root.toUri().getScheme() != null
            ? root.toUri().getScheme()
            : FileSystem.getDefaultUri(hadoop).getScheme();
    if (scheme == null || !SUPPORTED.contains(scheme)) {
      throw new RegistryException(
          "the model registry "
              + root
              + " is on "
              + scheme
              + "://, which gives neither an "
              + "exclusive create nor an atomic rename, so two jobs could register the same version or both take the "
              + "lock; keep the registry on HDFS or on a shared POSIX mount (file://, e.g. NFS), the data and work "
              + "folders may stay on "
              + scheme
              + "://");
    }
  }

  /**
   * Writes {@code content} to {@code target} if, and only if, no file of that name exists; of
   * concurrent callers exactly one gets {@code true}. Readers never see a partly written file.
   */
  static boolean publishNew(Configuration hadoop, Path target, byte[] content) throws IOException {
    FileSystem fs = target.getFileSystem(hadoop);
    fs.mkdirs(target.getParent());
    if (fs instanceof LocalFileSystem local) {
      return publishNewLocal(local.pathToFile(target).toPath(), content);
    }
    if (fs instanceof RawLocalFileSystem raw) {
      return publishNewLocal(raw.pathToFile(target).toPath(), content);
    }
    Path tmp =
        new Path(target.getParent(), "." + target.getName() + "." + UUID.randomUUID() + ".tmp");
    try (OutputStream out = fs.create(tmp, false)) {
      out.write(content);
    }
    try {
      fileContext(fs, target, hadoop)
          .rename(fs.makeQualified(tmp), fs.makeQualified(target), Options.Rename.NONE);
      return true;
    } catch (FileAlreadyExistsException e) {
      return false;
    } finally {
      fs.delete(tmp, false);
    }
  }

  private static boolean publishNewLocal(java.nio.file.Path target, byte[] content)
      throws IOException {
    java.nio.file.Path tmp =
        target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.write(tmp, content);
    try {
      Files.createLink(target, tmp);
      return true;
    } catch (java.nio.file.FileAlreadyExistsException e) {
      return false;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Renames the folder {@code from} to {@code to}, which must not exist; throws
   * {@link FileAlreadyExistsException} when it does (the folder is never nested inside it).
   */
  static void renameNew(Configuration hadoop, Path from, Path to) throws IOException {
    FileSystem fs = to.getFileSystem(hadoop);
    if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
      java.nio.file.Path source = ((RawLocalFileSystem) raw(fs)).pathToFile(from).toPath();
      java.nio.file.Path target = ((RawLocalFileSystem) raw(fs)).pathToFile(to).toPath();
      // rename(2) replaces an empty folder and fails on a non-empty one; a reserved empty folder
      // would be replaced, so an existing target is refused first (the registry's write lock keeps
      // others from creating one in between).
      if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        throw new FileAlreadyExistsException(to + " already exists");
      }
      Files.move(source, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    fileContext(fs, to, hadoop)
        .rename(fs.makeQualified(from), fs.makeQualified(to), Options.Rename.NONE);
  }

  /** The FileContext of {@code path}'s filesystem, also for a path without a scheme (the default filesystem's). */
  static FileContext fileContext(FileSystem fs, Path path, Configuration hadoop)
      throws IOException {
    return FileContext.getFileContext(fs.makeQualified(path).toUri(), hadoop);
  }

  private static FileSystem raw(FileSystem fs) {
    return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
  }
}
