package org.mtlspark.prep.source;

/** The input data cannot be prepared as configured (too many rejects, a missing column, no usable record). */
public final class PrepException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PrepException(String message) {
    super(message);
  }

  public PrepException(String message, Throwable cause) {
    super(message, cause);
  }
}
