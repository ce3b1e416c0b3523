package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;

/**
 * A column the configuration names but a source's files lack is found on the driver from the CSV
 * header or the first JSON rows, and named with the closest column the file has.
 */
class SourceColumnsTest {
  @TempDir Path dir;

  private static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        sources:
          - {name: people, format: csv, path: p, numeric: [AGE], categorical: [MARITAL STATUS]}
          - {name: notes, format: json, path: n, text: body}
      tasks:
        - {name: t, type: binary, source: people, column: CHURN}
      """,
          "test.yaml");

  private String file(String name, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, List.of(lines));
    return p.toString();
  }

  private static SourceConfig source(String name) {
    return CONFIG.data().source(name);
  }

  @Test
  void aCsvColumnNoFileHasIsNamedWithTheClosestHeaderColumn() throws IOException {
    String a = file("a.csv", "id,AGE,MARITAL.STATUS,CHURN", "1,30,single,0");
    String b = file("b.csv", "\uFEFFid,AGE,MARITAL.STATUS,CHURN", "2,40,married,1");
    List<String> required = List.of("id", "AGE", "MARITAL STATUS", "CHURN");
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                SourceReader.checkCsvHeaders(
                    new Configuration(), source("people"), List.of(a, b), required));
    assertEquals(
        "source people: file "
            + a
            + " has no column 'MARITAL STATUS' (did you mean 'MARITAL.STATUS'?) "
            + "(nor has any of the source's 2 files)",
        e.getMessage());

    String c = file("c.csv", "id,AGE,CHURN", "3,50,0");
    PrepException two =
        assertThrows(
            PrepException.class,
            () ->
                SourceReader.checkCsvHeaders(
                    new Configuration(),
                    source("people"),
                    List.of(c),
                    List.of("id", "age", "MARITAL STATUS", "CHURN")));
    assertEquals(
        "source people: file "
            + c
            + " has no columns 'age' (did you mean 'AGE'?), 'MARITAL STATUS'",
        two.getMessage());
  }

  @Test
  void aCsvColumnThatOnlySomeFilesLackIsLeftToTheRowRejects() throws IOException {
    String good = file("good.csv", "id,AGE,MARITAL STATUS,CHURN", "1,30,single,0");
    String drifted = file("drifted.csv", "id,AGE,MARITAL.STATUS,CHURN", "2,40,married,1");
    SourceReader.checkCsvHeaders(
        new Configuration(),
        source("people"),
        List.of(good, drifted),
        List.of("id", "AGE", "MARITAL STATUS", "CHURN"));
  }

  @Test
  void aJsonFieldNoSampledRowHasIsNamedWithTheClosestField() throws IOException {
    String a =
        file("a.jsonl", "{\"id\": \"1\", \"bdy\": \"hello\"}", "not json", "", "{\"id\": \"2\"}");
    PrepException e =
        assertThrows(
            PrepException.class,
            () ->
                SourceReader.checkJsonFields(
                    new Configuration(), source("notes"), List.of(a), List.of("id", "body")));
    assertEquals(
        "source notes: file "
            + a
            + " has no column 'body' (did you mean 'bdy'?) in its first 1000 rows",
        e.getMessage());
  }

  @Test
  void aJsonFieldPresentInSomeRowOfSomeFileIsAccepted() throws IOException {
    String a = file("a.jsonl", "{\"id\": \"1\"}");
    String b = file("b.jsonl", "{\"id\": \"2\"}", "{\"id\": \"3\", \"body\": null}");
    SourceReader.checkJsonFields(
        new Configuration(), source("notes"), List.of(a, b), List.of("id", "body"));
  }
}
