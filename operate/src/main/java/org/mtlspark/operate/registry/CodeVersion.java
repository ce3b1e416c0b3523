package org.mtlspark.operate.registry;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this code, as the build recorded it ({@code mtlspark-version.properties}). */
public final class CodeVersion {
  private CodeVersion() {}

  public static String get() {
    try (InputStream in = CodeVersion.class.getResourceAsStream("/mtlspark-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown") + " (built " + p.getProperty("built", "?") + ")";
    } catch (IOException e) {
      return "unknown";
    }
  }
}
