package org.mtlspark.operate.registry;

import java.io.IOException;

/** A registry operation that cannot be done: an unknown version, a tampered file, a held lock, a bad name. */
public class RegistryException extends IOException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }
}
