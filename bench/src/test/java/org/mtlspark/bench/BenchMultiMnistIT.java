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
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.prep.source.IdxFixture;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/** bench multimnist through the command line, on small IDX files built like MNIST's. */
class BenchMultiMnistIT {
  @TempDir Path dir;

  @BeforeAll
  static void localSpark() {
    InProcessCommand.localSpark();
  }

  @Test
  @SuppressWarnings("unchecked")
  void trainsEveryModelAndPutsThePublishedFiguresBesideTheMatchingOnes() throws IOException {
    IdxFixture.write(dir.resolve("mnist"), 60, 20);
    Path out = dir.resolve("multimnist.json");
    InProcessCommand.Outcome o =
        InProcessCommand.run(
            BenchCommand::execute,
            "multimnist",
            "--config",
            SharedSpark.confDir().resolve("examples/multimnist.yaml").toString(),
            "--set",
            "train.epochs=1",
            "--set",
            "prep.batchSize=8",
            "--mnist",
            dir.resolve("mnist").toString(),
            "--weightings",
            "uncertainty,dwa",
            "--work",
            dir.resolve("work").toString(),
            "--out",
            out.toString());
    assertEquals(0, o.code(), o.out());
    assertTrue(
        o.out().contains("MultiMNIST: test accuracy (%) of the left and right item"), o.out());

    Map<String, Object> results = new ObjectMapper().readValue(out.toFile(), Map.class);
    List<Map<String, Object>> tables = (List<Map<String, Object>>) results.get("tables");
    assertEquals(1, tables.size(), "only MultiMNIST was asked for");
    List<List<Object>> rows = (List<List<Object>>) tables.get(0).get("rows");
    List<Object> models = rows.stream().map(r -> r.get(0)).toList();
    assertEquals(
        List.of(
            "most frequent class",
            "single-task",
            "shared, static weights",
            "shared, uncertainty weights",
            "shared, dwa weights",
            "",
            ""),
        models);
    for (List<Object> r : rows.subList(0, 5)) {
      for (int c = 1; c <= 2; c++) {
        double accuracy = ((Number) r.get(c)).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 100, r.toString());
      }
    }
    assertEquals(List.of("single task", 97.23, 95.9), rows.get(1).subList(3, 6));
    assertEquals(List.of("uniform scaling", 96.46, 94.99), rows.get(2).subList(3, 6));
    assertEquals(List.of("Kendall et al. 2018", 96.47, 95.29), rows.get(3).subList(3, 6));
    assertEquals(List.of("", "", ""), rows.get(4).subList(3, 6), "DWA has no published figure");
    assertEquals("MGDA-UB", rows.get(6).get(3));
    // Delta-m: 0 for single-task against itself; the paper's MGDA-UB, 97.26 / 95.90 against
    // 97.23 / 95.90, gains (0.03 / 97.23 + 0) / 2 = 0.015% (0.02 rounded).
    assertEquals(0.0, ((Number) rows.get(1).get(6)).doubleValue(), 1e-9);
    assertEquals(0.0, ((Number) rows.get(1).get(7)).doubleValue(), 1e-9);
    assertEquals(0.02, ((Number) rows.get(6).get(7)).doubleValue(), 1e-9);
    double singleLeft = ((Number) rows.get(1).get(1)).doubleValue();
    double singleRight = ((Number) rows.get(1).get(2)).doubleValue();
    for (List<Object> r : rows.subList(2, 5)) {
      // Ours: the mean of the two items' relative accuracy changes, in percent, from the printed
      // accuracies (rounded to 0.01 points, hence the tolerance).
      double left = ((Number) r.get(1)).doubleValue();
      double right = ((Number) r.get(2)).doubleValue();
      double expected =
          50 * ((left - singleLeft) / singleLeft + (right - singleRight) / singleRight);
      double rounding = 50 * (0.01 / singleLeft + 0.01 / singleRight) + 0.01;
      assertEquals(expected, ((Number) r.get(6)).doubleValue(), rounding, r.toString());
    }
    // The fixture's classes are equally frequent: the most frequent class is right a tenth of the
    // time.
    assertEquals(10.0, ((Number) rows.get(0).get(1)).doubleValue(), 1e-9);
    assertTrue(((Map<String, Object>) results.get("machine")).containsKey("cores"));
  }

  @Test
  void withoutAMultimnistSourceOrDataTheCommandSaysWhatIsMissing() {
    InProcessCommand.Outcome noSource =
        InProcessCommand.run(BenchCommand::execute, "multimnist", "--mnist", dir.toString());
    assertEquals(ExitCodes.USAGE, noSource.code());
    InProcessCommand.Outcome noData =
        InProcessCommand.run(
            BenchCommand::execute,
            "multimnist",
            "--config",
            SharedSpark.confDir().resolve("examples/multimnist.yaml").toString());
    assertEquals(ExitCodes.USAGE, noData.code());
  }
}
