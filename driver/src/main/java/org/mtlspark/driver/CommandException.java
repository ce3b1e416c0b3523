package org.mtlspark.driver;

/** A failure that a command reports in one clear line with its exit code. */
public final class CommandException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CommandException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
