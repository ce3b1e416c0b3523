package org.mtlspark.prep.source;

import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mtlspark.prep.io.HadoopFiles;

/**
 * The folders an image column may name files under: the data root and the configured
 * {@code prep.image.allowedRoots}. A path is resolved (relative to the data root), qualified with
 * its filesystem and normalized ({@code ..} taken out) before it is compared, as scheme, authority
 * and whole path segments, with each qualified root.
 */
final class ImageRoots implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String dataRoot;
  private final List<String> allowed;

  /** The qualified roots, computed once where they are used. */
  private transient List<URI> qualified;

  ImageRoots(String dataRoot, List<String> allowed) {
    this.dataRoot = dataRoot;
    this.allowed = List.copyOf(allowed);
  }

  /**
   * The file {@code imagePath} names, qualified; throws {@link IllegalArgumentException} with the
   * reason when it lies outside every root.
   */
  Path resolve(String imagePath, Configuration conf) throws IOException {
    URI file;
    try {
      file = qualify(HadoopFiles.resolve(dataRoot, imagePath), conf);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "image path \"" + imagePath + "\" is not a path or URI: " + e.getMessage());
    }
    for (URI root : roots(conf)) {
      if (isUnder(file, root)) {
        return new Path(file);
      }
    }
    throw new IllegalArgumentException(
        "image path \""
            + imagePath
            + "\" is \""
            + new Path(file)
            + "\", outside the data root"
            + (allowed.isEmpty() ? "" : " and prep.image.allowedRoots")
            + " (list further folders in prep.image.allowedRoots)");
  }

  private List<URI> roots(Configuration conf) throws IOException {
    if (qualified == null) {
      List<URI> out = new ArrayList<>();
      out.add(
          dataRoot.isEmpty()
              ? FileSystem.get(conf).getWorkingDirectory().toUri()
              : qualify(dataRoot, conf));
      for (String root : allowed) {
        out.add(qualify(root.trim(), conf));
      }
      qualified = out;
    }
    return qualified;
  }

  /**
   * The path with scheme and authority, normalized. A path that names them already is taken as it
   * is, so that a cell naming another host is rejected without a connection to it.
   */
  private static URI qualify(String location, Configuration conf) throws IOException {
    Path path = new Path(location);
    URI uri = path.toUri();
    boolean qualified =
        uri.getScheme() != null
            && (uri.getAuthority() != null || "file".equalsIgnoreCase(uri.getScheme()));
    return (qualified ? path : path.getFileSystem(conf).makeQualified(path)).toUri().normalize();
  }

  /** Whether {@code file} is {@code root} or below it, on the same filesystem, with no {@code ..} left. */
  static boolean isUnder(URI file, URI root) {
    if (!Objects.equals(lower(file.getScheme()), lower(root.getScheme()))
        || !Objects.equals(lower(file.getAuthority()), lower(root.getAuthority()))) {
      return false;
    }
    String path = file.getPath();
    String folder = root.getPath().endsWith("/") ? root.getPath() : root.getPath() + "/";
    return !(path + "/").contains("/../") && (path + "/").startsWith(folder);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }
}
