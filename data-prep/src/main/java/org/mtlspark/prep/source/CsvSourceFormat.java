package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.mtlspark.prep.io.Iterators;

/**
 * CSV with a header record, read as RFC 4180 describes it (see {@link CsvRecordReader}) in the
 * source's {@link CsvDialect}: a record with broken quoting or the wrong number of cells is
 * rejected whole, at the line it starts on; the cells of good records go, by header name, to the
 * source's {@link RowInterpreter}.
 */
public final class CsvSourceFormat extends InterpretedTextFormat {
  private static final long serialVersionUID = 1L;

  private final CsvDialect dialect;

  public CsvSourceFormat(RowInterpreter interpreter, CsvDialect dialect, Charset charset) {
    super(interpreter, charset);
    this.dialect = dialect;
  }

  @Override
  public Iterator<ParsedRow<SourceValues>> rows(String file, BufferedReader in) {
    CsvRecordReader reader = new CsvRecordReader(in, dialect, 1);
    CsvRecord header;
    try {
      header = reader.next();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (header == null) {
      return List.of(
              ParsedRow.<SourceValues>rejected(
                  new Reject(
                      sourceName(), file, 0, null, "(file)", "empty file: no header row", "")))
          .iterator();
    }
    return Iterators.map(Iterators.until(reader::next), open(file, new CsvHeader(header.cells())));
  }

  /** The parser of the records of {@code file}, whose header is {@code header}. */
  public Function<CsvRecord, ParsedRow<SourceValues>> open(String file, CsvHeader header) {
    String source = sourceName();
    List<String> missing = header.missing(interpreter.requiredColumns());
    if (!missing.isEmpty()) {
      String reason = "the file's header lacks column(s) " + missing + " (header: " + header + ")";
      return r ->
          ParsedRow.rejected(new Reject(source, file, r.line(), null, "(header)", reason, r.raw()));
    }
    return r -> {
      if (!r.isWellFormed()) {
        return ParsedRow.rejected(
            new Reject(source, file, r.line(), null, "(row)", r.problem(), r.raw()));
      }
      List<String> cells = r.cells();
      if (cells.size() != header.width()) {
        return ParsedRow.rejected(
            new Reject(
                source,
                file,
                r.line(),
                null,
                "(row)",
                "expected " + header.width() + " cells, found " + cells.size(),
                r.raw()));
      }
      return interpreter.interpret(
          file,
          r.line(),
          column -> header.has(column) ? cells.get(header.position(column)) : null,
          r.raw());
    };
  }
}
