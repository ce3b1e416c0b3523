package org.mtlspark.prep.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.config.TaskConfig;

/** Binary labels in the spellings people use, a configured positive (and negative) value, and log1p targets. */
class LabelSpellingsTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [id]
        sources:
          - {name: census, format: csv, path: c, numeric: [age]}
      tasks:
        - {name: plain, type: binary, source: census, column: plain}
        - {name: credit, type: binary, source: census, column: credit, positive: good}
        - {name: risk, type: binary, source: census, column: risk, positive: High, negative: low}
        - {name: healthy, type: binary, source: census, column: healthy, positive: no}
        - {name: income, type: regression, source: census, column: income, transform: log1p}
        - {name: risk2, type: ordinal, source: census, column: band, classes: [Low, Medium, High, Very_High]}
      """,
          "test.yaml");

  private static String label(String task, String cell) {
    return RowInterpreter.normalize(CONFIG.task(task), cell);
  }

  @Test
  void theUsualSpellingsOfTrueAndFalseAreBinaryLabelsInAnyCase() {
    for (String yes :
        List.of("yes", "YES", "Yes", "y", "Y", "true", "TRUE", "t", "T", "1", "1.0")) {
      assertEquals("1", label("plain", yes), yes);
    }
    for (String no : List.of("no", "No", "n", "N", "false", "False", "f", "F", "0", "0.0")) {
      assertEquals("0", label("plain", no), no);
    }
    for (String bad : List.of("maybe", "2", "-1", "0.5", "yess", "good")) {
      assertNull(label("plain", bad), bad);
    }
  }

  @Test
  void withOnlyAPositiveValueEveryOtherValueIsTheNegativeClass() {
    assertEquals("1", label("credit", "good"));
    assertEquals("1", label("credit", "GOOD"));
    assertEquals("0", label("credit", "bad"));
    assertEquals("0", label("credit", "unknown"));
    assertEquals("0", label("credit", "1"));
  }

  @Test
  void withBothValuesAnyThirdValueIsRejectedNamingTheValueAndTheRule() throws java.io.IOException {
    assertEquals("1", label("risk", "high"));
    assertEquals("0", label("risk", "LOW"));
    assertNull(label("risk", "medium"));

    SourceConfig source = CONFIG.data().source("census");
    RowInterpreter in =
        new RowInterpreter(
            source,
            CONFIG.data().key(),
            CONFIG.tasksOf("census"),
            "NA",
            CONFIG.prep().image().resized(4, 4));
    ParsedRow<SourceValues> row =
        SourceFormatsTest.csv(in, "census.csv", "id,age,plain,credit,risk,healthy,income,band")
            .parse(12, "p7,40,y,good,medium,yes,100,Low");
    assertEquals(
        new Reject(
            "census",
            "census.csv",
            12,
            "p7",
            "risk",
            "neither the positive nor the negative value (positive \"High\", negative \"low\"): \"medium\"",
            "p7,40,y,good,medium,yes,100,Low"),
        row.reject());
    assertEquals(
        "census.risk: neither the positive nor the negative value (positive \"High\", negative \"low\"): \"…\"",
        row.reject().category());
  }

  @Test
  void aPositiveValueYamlReadsAsATruthValueMatchesEverySpellingOfIt() {
    TaskConfig healthy = CONFIG.task("healthy");
    assertEquals("false", healthy.positive(), "YAML 1.1 reads an unquoted no as false");
    assertEquals("1", label("healthy", "no"));
    assertEquals("1", label("healthy", "N"));
    assertEquals("0", label("healthy", "yes"));
  }

  @Test
  void anOrdinalCellNamesOneOfItsClassesIgnoringCase() throws java.io.IOException {
    assertEquals("Very_High", label("risk2", "very_high"));
    assertEquals("Low", label("risk2", "LOW"));
    assertNull(label("risk2", "Extreme"));
    SourceConfig source = CONFIG.data().source("census");
    RowInterpreter in =
        new RowInterpreter(
            source,
            CONFIG.data().key(),
            CONFIG.tasksOf("census"),
            "NA",
            CONFIG.prep().image().resized(4, 4));
    Reject r =
        SourceFormatsTest.csv(in, "census.csv", "id,age,plain,credit,risk,healthy,income,band")
            .parse(4, "p1,40,y,good,low,yes,2,Extreme")
            .reject();
    assertEquals("band", r.field());
    assertEquals("not one of the classes (Low, Medium, High, Very_High): \"Extreme\"", r.reason());
  }

  @Test
  void aLog1pTargetRejectsValuesAtOrBelowMinusOne() throws java.io.IOException {
    assertEquals("-0.5", label("income", "-0.5"));
    assertEquals("0.0", label("income", "0"));
    assertNull(label("income", "-1"));
    assertNull(label("income", "-3"));
    SourceConfig source = CONFIG.data().source("census");
    RowInterpreter in =
        new RowInterpreter(
            source,
            CONFIG.data().key(),
            CONFIG.tasksOf("census"),
            "NA",
            CONFIG.prep().image().resized(4, 4));
    Reject r =
        SourceFormatsTest.csv(in, "census.csv", "id,age,plain,credit,risk,healthy,income,band")
            .parse(3, "p1,40,y,good,low,yes,-2,High")
            .reject();
    assertEquals("income", r.field());
    assertEquals("not a label for transform log1p (a finite number above -1): \"-2\"", r.reason());
  }
}
