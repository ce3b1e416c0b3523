package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;

/**
 * A file without line breaks is never held whole: a JSON line or CSV record over 16 Mi characters
 * is a reject with that reason, the driver's CSV header check reads at most 1 Mi characters and
 * stops naming the file, and the driver's JSON field sampling reads a bounded start of each file.
 */
class LongLinesTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        sources:
          - {name: notes, format: json, path: n.json, text: text}
          - {name: table, format: csv, path: t.csv, numeric: [x]}
      tasks:
        - {name: y, type: binary, source: table, column: y}
      """,
          "lines.yaml");
  static final long TWENTY_MB = 20L << 20;

  @TempDir Path dir;

  @Test
  void linesAreReadWithinTheLimitAndCutBeyondIt() throws Exception {
    LineReader r = new LineReader(new StringReader("ab\r\ncdefgh\rij\n\nklm"), 4);
    assertEquals(new LineReader.Line("ab", false), r.next());
    assertEquals(new LineReader.Line("cdef", true), r.next(), "cut, and read to its end");
    assertEquals(new LineReader.Line("ij", false), r.next());
    assertEquals(new LineReader.Line("", false), r.next());
    assertEquals(new LineReader.Line("klm", false), r.next());
    assertNull(r.next());
  }

  @Test
  void aJsonFileWithoutLineBreaksIsOneRejectWithTheReason() throws Exception {
    Path file =
        HostileFiles.withoutLineBreaks(
            dir.resolve("n.json"), "{\"id\": \"1\", \"text\": \"", TWENTY_MB);
    Files.write(
        file,
        "\"}\n{\"id\": \"2\", \"text\": \"fine\"}\n".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    List<ParsedRow<SourceValues>> rows = jsonRows(file);
    assertEquals(2, rows.size());
    Reject reject = rows.get(0).reject();
    assertEquals("(row)", reject.field());
    assertEquals(1, reject.line());
    assertEquals("a line longer than 16777216 characters", reject.reason());
    assertTrue(
        reject.raw().startsWith("{\"id\": \"1\", \"text\": \"xxx") && reject.raw().length() < 400);
    assertEquals("2", rows.get(1).key(), "the next line is read as usual, with its own number");
    assertEquals(2, rows.get(1).line());
  }

  @Test
  void aCsvRecordWithoutLineBreaksIsOneRejectWithTheReason() throws Exception {
    Path file = HostileFiles.withoutLineBreaks(dir.resolve("t.csv"), "id,x,y\n1,", TWENTY_MB);
    Files.write(
        file,
        "\n2,1.5,yes\n".getBytes(StandardCharsets.UTF_8),
        java.nio.file.StandardOpenOption.APPEND);
    RowInterpreter in =
        new RowInterpreter(
            CONFIG.data().source("table"),
            CONFIG.data().key(),
            CONFIG.tasksOf("table"),
            "NA",
            CONFIG.prep().image());
    List<ParsedRow<SourceValues>> rows = new ArrayList<>();
    try (BufferedReader r =
        TextFiles.open(new Configuration(), file.toUri().toString(), StandardCharsets.UTF_8)) {
      new CsvSourceFormat(in, CsvDialect.RFC_4180, StandardCharsets.UTF_8)
          .rows(file.toString(), r)
          .forEachRemaining(rows::add);
    }
    assertEquals(2, rows.size());
    assertEquals(
        "a record longer than 16777216 characters (an unclosed quote?)",
        rows.get(0).reject().reason());
    assertEquals(2, rows.get(0).reject().line());
    assertEquals("2", rows.get(1).key());
  }

  @Test
  void theDriverChecksOfAFileWithoutLineBreaksStayBounded() throws Exception {
    Path csv = HostileFiles.withoutLineBreaks(dir.resolve("t.csv"), "id,x,y,", TWENTY_MB);
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                SourceReader.header(
                    new Configuration(), CONFIG.data().source("table"), csv.toUri().toString()));
    assertEquals(
        "source table: file "
            + csv.toUri()
            + ": the header record (line 1) is longer than 1048576 "
            + "characters; is it a CSV file with line breaks, in UTF-8, with delimiter ',' and no quote left open?",
        e.getMessage());

    Path json =
        HostileFiles.withoutLineBreaks(
            dir.resolve("n.json"), "{\"id\": \"1\", \"text\": \"", TWENTY_MB);
    SourceReader.checkJsonFields(
        new Configuration(),
        CONFIG.data().source("notes"),
        List.of(json.toUri().toString()),
        List.of("id", "text")); // the over-long line is skipped, not held
  }

  @Test
  void aShortHeaderIsReadAsBefore() throws Exception {
    Path csv = dir.resolve("t.csv");
    StringBuilder body = new StringBuilder("id,x,y\n");
    for (int i = 0; i < 200_000; i++) {
      body.append(i).append(",1.5,yes\n");
    }
    Files.writeString(csv, body);
    assertEquals(
        List.of("id", "x", "y"),
        SourceReader.header(
                new Configuration(), CONFIG.data().source("table"), csv.toUri().toString())
            .names(),
        "a file longer than the bound, with a short header");
  }

  @Test
  void inASmallHeapLongLinesAreRejectsAndALongHeaderAClearError() throws Exception {
    Path json =
        HostileFiles.withoutLineBreaks(
            dir.resolve("n.json"), "{\"id\": \"1\", \"text\": \"", TWENTY_MB);
    HostileFiles.Run run = HostileFiles.probe("64m", "json", json.toString());
    assertFalse(run.output().contains("OutOfMemoryError"), run.output());
    assertEquals(0, run.status(), run.output());
    assertTrue(
        run.output().contains("REJECT (row): a line longer than 16777216 characters"),
        run.output());

    Path rows = HostileFiles.withoutLineBreaks(dir.resolve("rows.csv"), "id,file,y\n1,", TWENTY_MB);
    run = HostileFiles.probe("64m", "csv", rows.toString());
    assertFalse(run.output().contains("OutOfMemoryError"), run.output());
    assertEquals(0, run.status(), run.output());
    assertTrue(
        run.output().contains("REJECT (row): a record longer than 16777216 characters"),
        run.output());

    Path csv = HostileFiles.withoutLineBreaks(dir.resolve("t.csv"), "id,file,y,", TWENTY_MB);
    run = HostileFiles.probe("64m", "csv-header", csv.toString());
    assertFalse(run.output().contains("OutOfMemoryError"), run.output());
    assertEquals(0, run.status(), run.output());
    assertTrue(
        run.output()
            .contains(
                "FAILED source scans: file "
                    + csv.toUri()
                    + ": the header record (line 1) is "
                    + "longer than 1048576 characters"),
        run.output());
  }

  private List<ParsedRow<SourceValues>> jsonRows(Path file) throws Exception {
    RowInterpreter in =
        new RowInterpreter(
            CONFIG.data().source("notes"),
            CONFIG.data().key(),
            CONFIG.tasksOf("notes"),
            "NA",
            CONFIG.prep().image());
    List<ParsedRow<SourceValues>> rows = new ArrayList<>();
    try (BufferedReader r =
        TextFiles.open(new Configuration(), file.toUri().toString(), StandardCharsets.UTF_8)) {
      new JsonSourceFormat(in, StandardCharsets.UTF_8)
          .rows(file.toString(), r)
          .forEachRemaining(rows::add);
    }
    return rows;
  }
}
