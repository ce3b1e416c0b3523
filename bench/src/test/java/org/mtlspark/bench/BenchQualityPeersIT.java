package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * bench quality with its peers (gradient-boosted trees and a linear model) through the command line,
 * on the built-in generated data with two seeds: the peers learn the signal the data has, are scored
 * on exactly the test rows our models are, and every figure comes with its deviation over the seeds.
 * {@code --models} leaves hard+attention out; hard+concat, the model ablated, is trained anyway.
 */
class BenchQualityPeersIT {
  @TempDir static Path dir;
  static InProcessCommand.Outcome outcome;
  static Map<String, Object> results;

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void runTheBenchmark() throws IOException {
    InProcessCommand.localSpark();
    SharedSpark.get();
    Path out = dir.resolve("quality.json");
    outcome =
        InProcessCommand.run(
            BenchCommand::execute,
            "quality",
            "--rows",
            "1000",
            "--seeds",
            "2",
            "--models",
            "single-task,soft+concat",
            "--gbt-iter",
            "6",
            "--gbt-depth",
            "3",
            "--gbt-step",
            "0.3",
            "--linear-iter",
            "30",
            "--set",
            "train.epochs=1",
            "--work",
            dir.resolve("work").toString(),
            "--out",
            out.toString());
    assertEquals(0, outcome.code(), outcome.err());
    results = new ObjectMapper().readValue(out.toFile(), Map.class);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> rows() {
    return (List<Map<String, Object>>)
        ((Map<String, Object>) results.get("details")).get("results");
  }

  static Map<String, Object> task(String name) {
    return rows().stream().filter(r -> r.get("task").equals(name)).findFirst().orElseThrow();
  }

  static double value(Map<String, Object> row, String key) {
    return ((Number) row.get(key)).doubleValue();
  }

  @Test
  void theGradientBoostedTreesLearnEveryTasksSignal() {
    // spend (regression, rmse), tier (multiclass, macro-F1) and churn (binary, AUC) depend on the
    // generated features; trees that learnt nothing sit at the trivial baseline.
    Map<String, Object> spend = task("spend");
    assertEquals("rmse", spend.get("metric"));
    assertTrue(value(spend, "gbt") < 0.8 * value(spend, "baseline"), spend.toString());
    Map<String, Object> tier = task("tier");
    assertEquals("macro_f1", tier.get("metric"));
    assertTrue(value(tier, "gbt") > value(tier, "baseline") + 0.15, tier.toString());
    // The tier is learnt: above a random guess by the class shares (about a quarter for four
    // classes), which the table prints under it, naming who beats it.
    double chance = value(tier, "chanceMacroF1");
    assertTrue(chance > 0.15 && chance < 0.35, tier.toString());
    assertTrue(value(tier, "gbt") > chance + 0.1, tier.toString());
    assertTrue(
        outcome.out().contains("(a random guess by the training class shares; beaten by "),
        outcome.out());
    assertTrue(!task("spend").containsKey("chanceMacroF1"), "only macro-F1 tasks have the line");
    Map<String, Object> churn = task("churn");
    assertEquals("auc", churn.get("metric"));
    assertTrue(value(churn, "gbt") > 0.65, churn.toString());
    for (Map<String, Object> r : rows()) {
      // The linear model learns something too, and the comparison with the trees is reported.
      assertTrue(
          !Double.isNaN(value(r, "linear")) && r.containsKey("bestBetterThanGbtBy"), r.toString());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePeersAreScoredOnExactlyTheTestRowsOurModelsAre() {
    for (Map<String, Object> r : rows()) {
      Map<String, Number> examples = (Map<String, Number>) r.get("examples");
      long ours = examples.get("hard+concat").longValue();
      assertTrue(ours > 50, r.toString());
      assertEquals(ours, examples.get("gbt").longValue(), r.toString());
      assertEquals(ours, examples.get("linear").longValue(), r.toString());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void deltaMIsTheMeanOfTheTasksGainsOverSingleTask() {
    Map<String, Map<String, Number>> deltaM =
        (Map<String, Map<String, Number>>)
            ((Map<String, Object>) results.get("details")).get("deltaM");
    assertEquals(
        List.of("hard+concat", "soft+concat", "gbt", "linear"), List.copyOf(deltaM.keySet()));
    // The gain is linear in the model's figure, so its mean over the seeds is the mean over the
    // tasks of each task's gain of the seeds' mean: the column the table prints per task.
    double expected =
        rows().stream().mapToDouble(r -> value(r, "sharedBetterBy")).average().orElseThrow();
    assertEquals(expected, deltaM.get("hard+concat").get("mean").doubleValue(), 1e-9);
    assertTrue(deltaM.get("hard+concat").get("sd").doubleValue() >= 0);
    assertTrue(outcome.out().contains("Delta-m against single-task"), outcome.out());
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyFigureHasItsDeviationOverTheSeeds() {
    List<Map<String, Object>> tables = (List<Map<String, Object>>) results.get("tables");
    Map<String, Object> table = tables.get(0);
    List<String> columns = (List<String>) table.get("columns");
    assertTrue(
        columns.containsAll(
            List.of(
                "single-task",
                "hard+concat",
                "soft+concat",
                "gbt",
                "linear",
                "hard+concat vs single-task",
                "best ours vs gbt")),
        columns.toString());
    assertTrue(
        !columns.contains("hard+attention"), "--models leaves hard+attention out: " + columns);
    for (List<Object> row : (List<List<Object>>) table.get("rows")) {
      for (String model : List.of("single-task", "hard+concat", "gbt", "linear")) {
        String cell = (String) row.get(columns.indexOf(model));
        assertTrue(cell.matches("-?\\d+\\.\\d{4} \\+- \\d+\\.\\d{4}"), cell);
      }
    }
    for (Map<String, Object> r : rows()) {
      // The trees draw their subsamples from the seed: two seeds differ somewhere.
      assertTrue(value(r, "gbt sd") >= 0 && value(r, "hard+concat sd") >= 0, r.toString());
    }
    assertTrue(
        rows().stream().anyMatch(r -> value(r, "gbt sd") > 0),
        "the trees' seeds change them: " + rows());
    assertTrue(outcome.out().contains("ours-vs-gbt"), outcome.out());
    assertTrue(
        outcome
            .out()
            .matches("(?s).*Peer gbt: 3 task\\(s\\) x 2 seed\\(s\\) fitted and scored in .*"));
    List<String> notes = (List<String>) results.get("notes");
    assertTrue(
        notes.stream().anyMatch(n -> n.contains("maxIter 6, maxDepth 3, stepSize 0.3")),
        notes.toString());
  }
}
