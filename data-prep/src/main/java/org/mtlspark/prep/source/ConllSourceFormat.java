package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.mtlspark.prep.io.Iterators;

/**
 * CoNLL-style token files (CoNLL-U, CoNLL-2003, IOB2): one token a line, its fields separated by
 * tabs (or, in a line without a tab, by runs of spaces) and named by the source's {@code columns};
 * sentences separated by blank lines. A sentence is one row whose cells are each named field's
 * values joined by single spaces, one cell per {@code # key = value} line before the sentence (the
 * key lower-cased, anything but letters and digits made '_': {@code sent_id}, {@code newdoc_id},
 * {@code text}) and {@code sentence}, the sentence's number in its file (1-based). When the first
 * field is CoNLL-U's {@code id}, multi-word token ranges ({@code 1-2}) and empty nodes ({@code 8.1})
 * are skipped, so that the tokens are the syntactic words other annotations tag. A sentence of one
 * token with a field {@code -DOCSTART-} (CoNLL-2003's document marks) is skipped. A token line with
 * fewer fields than {@code columns} names rejects its sentence, and so does a sentence longer than
 * {@link TextFormat#MAX_RECORD_CHARS} characters (read to its end, not held). A comment line
 * ({@link #comment}) inside a sentence is skipped.
 */
public final class ConllSourceFormat extends InterpretedTextFormat {
  private static final long serialVersionUID = 1L;

  /** The cell holding a sentence's number in its file. */
  public static final String SENTENCE = "sentence";

  private static final Pattern RANGE_OR_EMPTY_NODE = Pattern.compile("\\d+-\\d+|\\d+\\.\\d+");
  private static final Pattern SPACES = Pattern.compile(" +");

  private final List<String> columns;

  public ConllSourceFormat(RowInterpreter interpreter, Charset charset, List<String> columns) {
    super(interpreter, charset);
    this.columns = List.copyOf(columns);
  }

  /** The name a {@code # key = value} line gives its cell. */
  static String metadataName(String key) {
    String name = key.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]+", "_");
    return name.replaceAll("^_+|_+$", "");
  }

  /** The key and value of a metadata line ({@code # key = value}), or null for another comment. */
  static String[] metadata(String line) {
    String body = line.substring(1);
    int eq = body.indexOf('=');
    if (eq < 0) {
      return null;
    }
    String name = metadataName(body.substring(0, eq));
    return name.isEmpty() ? null : new String[] {name, body.substring(eq + 1).strip()};
  }

  @Override
  public Iterator<ParsedRow<SourceValues>> rows(String file, BufferedReader in) {
    LineReader lines = new LineReader(in, MAX_RECORD_CHARS);
    long[] lineNumber = {0};
    long[] sentenceNumber = {0};
    boolean skipNodes = !columns.isEmpty() && columns.get(0).equals("id");
    return Iterators.until(
        () -> {
          while (true) {
            Sentence s = Sentence.read(lines, lineNumber, columns.size(), skipNodes);
            if (s == null) {
              return null;
            }
            if (s.tokens.isEmpty() && s.problem == null) {
              continue; // comments alone at the end of a file
            }
            if (s.problem == null
                && s.tokens.size() == 1
                && java.util.Arrays.asList(s.tokens.get(0)).contains("-DOCSTART-")) {
              continue;
            }
            sentenceNumber[0]++;
            if (s.problem != null) {
              return ParsedRow.rejected(
                  new Reject(
                      sourceName(), file, s.firstLine, null, "(sentence)", s.problem, s.raw));
            }
            Map<String, String> cells = new HashMap<>(s.metadata);
            for (int c = 0; c < columns.size(); c++) {
              List<String> values = new ArrayList<>(s.tokens.size());
              for (String[] token : s.tokens) {
                values.add(token[c]);
              }
              cells.put(columns.get(c), String.join(" ", values));
            }
            cells.put(SENTENCE, Long.toString(sentenceNumber[0]));
            return interpreter.interpret(file, s.firstLine, cells::get, s.raw);
          }
        });
  }

  /**
   * Whether a line of {@code parts} fields is a comment: it starts with {@code #} and either the
   * file is CoNLL-U (token lines start with their id), or it has no tab and is a {@code # key =
   * value} line or has another number of fields than a token line; so that {@code #}, a token of
   * its own in CoNLL-2003 or IOB2 files, stays a token.
   */
  static boolean comment(String line, int parts, int fields, boolean conllu) {
    if (!line.startsWith("#")) {
      return false;
    }
    return conllu || line.indexOf('\t') < 0 && (metadata(line) != null || parts != fields);
  }

  /** One sentence as read: its metadata, its token lines' fields, or why it is rejected. */
  private static final class Sentence {
    final Map<String, String> metadata = new HashMap<>();
    final List<String[]> tokens = new ArrayList<>();
    long firstLine;
    String problem;
    String raw = "";

    /** The next sentence of {@code lines}, or null at the end of the file. */
    static Sentence read(LineReader lines, long[] lineNumber, int fields, boolean skipNodes)
        throws java.io.IOException {
      Sentence s = new Sentence();
      StringBuilder raw = new StringBuilder();
      long chars = 0;
      boolean any = false;
      for (LineReader.Line l = lines.next(); l != null; l = lines.next()) {
        lineNumber[0]++;
        String line = l.text();
        if (!any && !l.cut() && line.isBlank()) {
          continue; // blank lines between sentences
        }
        if (!any) {
          s.firstLine = lineNumber[0];
          any = true;
        }
        if (!l.cut() && line.isBlank()) {
          break;
        }
        chars += line.length() + 1;
        if (raw.length() < 400) {
          raw.append(line).append('\n');
        }
        if (s.problem != null) {
          continue; // read to the sentence's end, holding nothing more
        }
        if (l.cut() || chars > MAX_RECORD_CHARS) {
          s.problem = "a sentence longer than " + MAX_RECORD_CHARS + " characters";
          s.tokens.clear();
          continue;
        }
        String[] parts =
            line.indexOf('\t') >= 0 ? line.split("\t", -1) : SPACES.split(line.strip(), -1);
        if (comment(line, parts.length, fields, skipNodes)) {
          String[] kv = s.tokens.isEmpty() ? metadata(line) : null;
          if (kv != null) {
            s.metadata.putIfAbsent(kv[0], kv[1]);
          }
          continue;
        }
        if (skipNodes && RANGE_OR_EMPTY_NODE.matcher(parts[0]).matches()) {
          continue;
        }
        if (parts.length < fields) {
          s.problem =
              "line "
                  + lineNumber[0]
                  + " has "
                  + parts.length
                  + " fields where columns names "
                  + fields;
          s.tokens.clear();
          continue;
        }
        s.tokens.add(parts);
      }
      if (!any) {
        return null;
      }
      s.raw = raw.toString();
      return s;
    }
  }
}
