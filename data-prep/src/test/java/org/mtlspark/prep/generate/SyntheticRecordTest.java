package org.mtlspark.prep.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SyntheticRecordTest {
  static final SyntheticRecord.Rates RATES = new SyntheticRecord.Rates(0.1, 0.1, 0.01, 0.3);

  @Test
  void theSameSeedAndIndexGiveTheSameRecord() {
    SyntheticRecord a = new SyntheticRecord(7, 123, 16, 16, RATES);
    SyntheticRecord b = new SyntheticRecord(7, 123, 16, 16, RATES);
    assertEquals(a.tabularCsv, b.tabularCsv);
    assertEquals(a.textJson(), b.textJson());
    assertArrayEquals(a.imageBytes(), b.imageBytes());
    assertEquals(a.labelsCsv, b.labelsCsv);
    assertNotEquals(a.labelsCsv, new SyntheticRecord(8, 123, 16, 16, RATES).labelsCsv);
  }

  @Test
  void imperfectionsAppearAtRoughlyTheConfiguredRates() {
    int n = 20_000;
    int noText = 0;
    int malformedLabels = 0;
    for (int i = 0; i < n; i++) {
      SyntheticRecord r = new SyntheticRecord(1, i, 16, 16, RATES);
      noText += r.hasText ? 0 : 1;
      malformedLabels += r.labelsMalformed ? 1 : 0;
    }
    assertEquals(0.1, noText / (double) n, 0.01);
    assertEquals(0.01, malformedLabels / (double) n, 0.003);
  }

  @Test
  void tasksShareTheLatentFactors() {
    // spend and tier both rise with z0 (tier also with z2, which lowers spend a little):
    // the regression and the multi-class task are clearly correlated.
    int n = 5000;
    double[] spend = new double[n];
    double[] tier = new double[n];
    SyntheticRecord.Rates clean = new SyntheticRecord.Rates(0, 0, 0, 0.3);
    for (int i = 0; i < n; i++) {
      String[] cells = new SyntheticRecord(3, i, 16, 16, clean).labelsCsv.split(",");
      spend[i] = Double.parseDouble(cells[1]);
      tier[i] = java.util.Arrays.asList(SyntheticRecord.TIERS).indexOf(cells[2]);
    }
    assertTrue(correlation(spend, tier) > 0.2, "corr " + correlation(spend, tier));
  }

  @Test
  void requestTagsLineUpWithTheirTokensAndNeedTheNeighbouringWords() {
    // token -> tag -> count, over many requests
    java.util.Map<String, java.util.Map<String, Integer>> tagsOf = new java.util.HashMap<>();
    int entities = 0;
    for (int i = 0; i < 5000; i++) {
      SyntheticRecord rec = new SyntheticRecord(5, i, 16, 16, RATES);
      String[] tokens = rec.request.split(" ");
      String[] tags = rec.requestTags.split(" ");
      assertEquals(tokens.length, tags.length, rec.request + " / " + rec.requestTags);
      for (int t = 0; t < tokens.length; t++) {
        assertTrue(tags[t].matches("O|[BI]-(PLAN|LOC|DATE)"), tags[t]);
        if (tags[t].startsWith("I-")) {
          // An inside tag continues an entity of the same type.
          assertEquals(tags[t].substring(2), tags[t - 1].substring(2), rec.requestTags);
        }
        entities += tags[t].startsWith("B-") ? 1 : 0;
        tagsOf
            .computeIfAbsent(tokens[t], k -> new java.util.HashMap<>())
            .merge(tags[t], 1, Integer::sum);
      }
      assertTrue(
          rec.textJson().contains("\"request_tags\": \"" + rec.requestTags + "\"")
              || rec.textMalformed);
    }
    assertTrue(entities > 5000, "entities " + entities);
    // The same word is an entity's start in one context and outside any in another, and a day
    // starts a date ("on friday") or continues one ("next friday").
    for (String word : List.of("basic", "plus", "central", "may", "next")) {
      assertTrue(tagsOf.get(word).get("O") > 100, word + " " + tagsOf.get(word));
      assertTrue(tagsOf.get(word).keySet().stream().anyMatch(t -> t.startsWith("B-")), word);
    }
    assertTrue(tagsOf.get("friday").get("B-DATE") > 50 && tagsOf.get("friday").get("I-DATE") > 50);
  }

  @Test
  void theDefaultSourcesReadTheSameAsBeforeTheRequestExisted() {
    // The request is drawn after every other value, so that the data the defaults read (and every
    // figure measured on it) stays the same. Record 42 of the defaults (seed 7), as `generate`
    // wrote it before the request existed:
    SyntheticRecord rec =
        new SyntheticRecord(7, 42, 16, 16, new SyntheticRecord.Rates(0.08, 0.1, 0.004, 0.3));
    assertTrue(
        rec.textJson()
            .startsWith(
                "{\"id\": \"c00000042\", \"text\": \"The service love order it love, it my very"
                    + " visit with paper,.\", \"request\": "),
        rec.textJson());
    assertEquals("c00000042,55.78,gold,", rec.labelsCsv);
    assertEquals("c00000042,40,27258.62,6,27,north,plus,2025-03-02T17:45:05Z,", rec.tabularCsv);
  }

  static double correlation(double[] x, double[] y) {
    double mx = 0;
    double my = 0;
    for (int i = 0; i < x.length; i++) {
      mx += x[i] / x.length;
      my += y[i] / y.length;
    }
    double sxy = 0;
    double sxx = 0;
    double syy = 0;
    for (int i = 0; i < x.length; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) * (x[i] - mx);
      syy += (y[i] - my) * (y[i] - my);
    }
    return sxy / Math.sqrt(sxx * syy);
  }
}
