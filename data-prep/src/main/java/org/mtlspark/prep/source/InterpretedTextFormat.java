package org.mtlspark.prep.source;

import java.nio.charset.Charset;

/** A text format whose rows are turned into {@link SourceValues} by a source's {@link RowInterpreter}. */
abstract class InterpretedTextFormat implements TextFormat<SourceValues> {
  private static final long serialVersionUID = 1L;

  protected final RowInterpreter interpreter;

  /** Kept by name: a Charset is not serializable. */
  private final String charset;

  InterpretedTextFormat(RowInterpreter interpreter, Charset charset) {
    this.interpreter = interpreter;
    this.charset = charset.name();
  }

  @Override
  public final String sourceName() {
    return interpreter.sourceName();
  }

  @Override
  public final Charset charset() {
    return Charset.forName(charset);
  }
}
