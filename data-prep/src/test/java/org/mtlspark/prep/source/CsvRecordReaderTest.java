package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4180 records: quoted line breaks, doubled quotes, dialects, and malformed quoting that never splits a record. */
class CsvRecordReaderTest {

  static List<CsvRecord> all(String text, CsvDialect dialect) throws IOException {
    CsvRecordReader r = new CsvRecordReader(new StringReader(text), dialect, 1);
    List<CsvRecord> out = new ArrayList<>();
    for (CsvRecord c = r.next(); c != null; c = r.next()) {
      out.add(c);
    }
    return out;
  }

  static List<CsvRecord> all(String text) throws IOException {
    return all(text, CsvDialect.RFC_4180);
  }

  @Test
  void plainQuotedAndEmptyCells() throws IOException {
    CsvRecord r = all("a,\"b,c\",,\"say \"\"hi\"\"\",").get(0);
    assertEquals(List.of("a", "b,c", "", "say \"hi\"", ""), r.cells());
    assertTrue(r.isWellFormed());
    assertEquals(1, r.line());
  }

  @Test
  void aQuotedCellMayHoldLineBreaksAndTheRecordKeepsItsFirstLine() throws IOException {
    String text =
        "id,text,n\n"
            + "1,\"first line\nsecond, with a comma\n\nfourth \"\"quoted\"\"\",7\r\n"
            + "2,\"crlf\r\ninside\",8\n"
            + "\n"
            + "3,plain,9";
    List<CsvRecord> rs = all(text);
    assertEquals(4, rs.size());
    assertEquals(
        List.of("1", "first line\nsecond, with a comma\n\nfourth \"quoted\"", "7"),
        rs.get(1).cells());
    assertEquals(2, rs.get(1).line());
    assertEquals(List.of("2", "crlf\r\ninside", "8"), rs.get(2).cells());
    assertEquals(6, rs.get(2).line());
    assertEquals(List.of("3", "plain", "9"), rs.get(3).cells());
    assertEquals(9, rs.get(3).line(), "after the blank line 8");
    assertTrue(rs.stream().allMatch(CsvRecord::isWellFormed));
  }

  @Test
  void aQuoteInsideAnUnquotedCellIsAnOrdinaryCharacter() throws IOException {
    assertEquals(List.of("a 5\" screen", "b"), all("a 5\" screen,b").get(0).cells());
  }

  @Test
  void textAfterAClosingQuoteMarksTheWholeRecordMalformedWithoutSplittingIt() throws IOException {
    List<CsvRecord> rs = all("\"a\"x,\"b\nc\",d\ne,f,g\n");
    assertEquals(2, rs.size());
    assertEquals("text after the closing quote of cell 1", rs.get(0).problem());
    assertEquals(List.of("e", "f", "g"), rs.get(1).cells());
    assertEquals(3, rs.get(1).line());
  }

  @Test
  void anUnclosedQuoteRunsToTheEndOfTheFileAsOneMalformedRecord() throws IOException {
    List<CsvRecord> rs = all("h1,h2\nok,1\n\"open,2\nx,3\ny,4\n");
    assertEquals(3, rs.size(), "the header, one good record, then one record holding the rest");
    CsvRecord broken = rs.get(2);
    assertEquals(3, broken.line());
    assertEquals(
        "unclosed quote in cell 1: the record starting at line 3 runs to the end of the file (3 lines)",
        broken.problem());
    assertEquals(
        "unclosed quote in cell 2: the record starting at line 1 runs to the end of the file (2 lines)",
        all("a,\"b\nc").get(0).problem(),
        "without a final line break");
  }

  @Test
  void aRecordLongerThanTheLimitIsCutAndMarked() throws IOException {
    CsvRecordReader r =
        new CsvRecordReader(
            new StringReader("\"" + "x".repeat(100) + "\",1\nnext,2\n"),
            CsvDialect.RFC_4180,
            1,
            50);
    CsvRecord cut = r.next();
    assertTrue(cut.problem().startsWith("a record longer than 50 characters"), cut.problem());
    assertEquals(
        List.of("next", "2"), r.next().cells(), "the next record still starts where it should");
    assertNull(r.next());
  }

  @Test
  void dialectsChangeDelimiterQuoteAndEscape() throws IOException {
    assertEquals(
        List.of("a,b", "c;d", "e"),
        all("a,b;'c;d';e", new CsvDialect(';', '\'', (char) 0)).get(0).cells());
    assertEquals(
        List.of("x", "y z"), all("x\ty z", new CsvDialect('\t', '"', (char) 0)).get(0).cells());
    CsvDialect backslash = new CsvDialect(',', '"', '\\');
    assertEquals(
        List.of("say \"hi\"", "a\\b", "c,d"),
        all("\"say \\\"hi\\\"\",\"a\\\\b\",c\\,d", backslash).get(0).cells());
    assertEquals(
        List.of("doubled \"too\""), all("\"doubled \"\"too\"\"\"", backslash).get(0).cells());
    CsvDialect quoteAsEscape = new CsvDialect(',', '"', '"');
    assertEquals(
        List.of("5'11\"", "x"),
        all("5'11\",x", quoteAsEscape).get(0).cells(),
        "an escape equal to the quote is no escape: a quote inside an unquoted cell stays");
    List<CsvRecord> escapedBreaks = all("a\\\r\nb,c\nd\\\ne,f\ng,h", backslash);
    assertEquals(
        List.of(List.of("a\nb", "c"), List.of("d\ne", "f"), List.of("g", "h")),
        escapedBreaks.stream().map(CsvRecord::cells).toList(),
        "an escaped CRLF or LF continues the record");
    assertEquals(List.of(1L, 3L, 5L), escapedBreaks.stream().map(CsvRecord::line).toList());
  }

  @Test
  void blankLinesAreNotRecordsButABlankQuotedCellIs() throws IOException {
    List<CsvRecord> rs = all("a\n   \n\n\"\"\nb\n");
    assertEquals(
        List.of(List.of("a"), List.of(""), List.of("b")),
        rs.stream().map(CsvRecord::cells).toList());
    assertEquals(List.of(1L, 4L, 5L), rs.stream().map(CsvRecord::line).toList());
  }

  /**
   * The fragments of a multi-line record must never become records: here every piece of the
   * quoted cell has exactly the three cells a record needs.
   */
  @Test
  void noPieceOfAMultiLineRecordIsEverARecord() throws IOException {
    String text =
        "key,text,label\n"
            + "k1,\"trade,war,starts\nfake,record,here\n\"\"quoted\"\",x,y\",1\n"
            + "k2,ok,0\n";
    List<CsvRecord> rs = all(text);
    assertEquals(List.of("key", "k1", "k2"), rs.stream().map(r -> r.cells().get(0)).toList());
    assertEquals("trade,war,starts\nfake,record,here\n\"quoted\",x,y", rs.get(1).cells().get(1));
    assertEquals(5, rs.get(2).line());
  }
}
