package org.mtlspark.prep.source;

/** A line format whose rows are turned into {@link SourceValues} by a source's {@link RowInterpreter}. */
abstract class InterpretedLineFormat implements LineFormat<SourceValues> {
  private static final long serialVersionUID = 1L;

  protected final RowInterpreter interpreter;

  InterpretedLineFormat(RowInterpreter interpreter) {
    this.interpreter = interpreter;
  }

  @Override
  public final String sourceName() {
    return interpreter.sourceName();
  }
}
