package org.mtlspark.driver;

/** Exit codes of every command, for schedulers and scripts. */
public final class ExitCodes {
  /** The command did what it was asked. */
  public static final int OK = 0;

  /** An unexpected failure (a bug, a lost cluster, a full disk): see the log. */
  public static final int FAILED = 1;

  /** Bad command line or configuration; nothing was started. */
  public static final int USAGE = 2;

  /** The input data cannot be used as configured (missing source, too many rejects, ...). */
  public static final int BAD_INPUT = 3;

  /** The model was trained and evaluated but a task does not beat its trivial baseline. */
  public static final int BELOW_BASELINE = 4;

  /** Training diverged (the score became NaN or infinite); the checkpoints before it are kept. */
  public static final int DIVERGED = 5;

  /** retrain: a new version was trained and registered but not promoted (the reason is printed). */
  public static final int NOT_PROMOTED = 10;

  /** The model registry is locked by another retrain (or a registry operation was refused). */
  public static final int REGISTRY = 11;

  private ExitCodes() {}
}
