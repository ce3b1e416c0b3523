package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.driver.ExitCodes;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class BenchSummaryCommandTest {
  @TempDir Path dir;

  @Test
  void gathersEveryResultWithItsCommandMachineAndBaselineAndListsWhatWasSkipped()
      throws IOException {
    BenchResults.Table t =
        new BenchResults.Table("Prep against a join", "records", "join s", "prep s")
            .row(1000, 1.5, 3.0)
            .row(2000, 2.5, 5.5);
    Map<String, Object> machine =
        Map.of(
            "cores",
            2,
            "memoryMB",
            24000,
            "cpu",
            "Test CPU",
            "driverHeapMB",
            4096,
            "java",
            "17",
            "sparkVersion",
            "3.5.5",
            "sparkMaster",
            "local[2]");
    new ObjectMapper()
        .writeValue(
            dir.resolve("prep.json").toFile(),
            new BenchResults(
                "Data preparation",
                machine,
                "a bare join",
                List.of(t),
                List.of("a | note"),
                Map.of()));
    Files.writeString(
        dir.resolve("prep.cmd"), "submit-scripts/mtl bench prep --records 1000,2000\n");
    Files.writeString(
        dir.resolve("multimnist.skipped"), "MultiMNIST: no --datasets folder given\n");

    assertEquals(0, BenchCommand.execute("summary", "--dir", dir.toString()));

    String md = Files.readString(dir.resolve("results.md"));
    assertTrue(
        md.contains(
            "## Data preparation\n\nCommand: `submit-scripts/mtl bench prep --records 1000,2000`"),
        md);
    assertTrue(
        md.contains(
            "Machine: 2 cores, 24000 MB memory, Test CPU; driver heap 4096 MB; Java 17, Spark 3.5.5, "
                + "master local[2]"),
        md);
    assertTrue(md.contains("Baseline: a bare join"), md);
    assertTrue(
        md.contains(
            "| records | join s | prep s |\n| --- | --- | --- |\n| 1000 | 1.5 | 3.0 |\n"
                + "| 2000 | 2.5 | 5.5 |\n"),
        md);
    assertTrue(md.contains("- a | note"), md);
    assertTrue(
        md.contains("## Not run\n\n- multimnist: MultiMNIST: no --datasets folder given"), md);

    Map<?, ?> json = new ObjectMapper().readValue(dir.resolve("results.json").toFile(), Map.class);
    List<?> benchmarks = (List<?>) json.get("benchmarks");
    assertEquals(1, benchmarks.size());
    assertEquals(
        "submit-scripts/mtl bench prep --records 1000,2000",
        ((Map<?, ?>) benchmarks.get(0)).get("command"));
    assertEquals(
        Map.of("multimnist", "MultiMNIST: no --datasets folder given"), json.get("skipped"));
  }

  @Test
  void aFolderWithoutResultsOrAForeignJsonFileIsRefused() throws IOException {
    assertEquals(ExitCodes.USAGE, BenchCommand.execute("summary", "--dir", dir.toString()));
    Files.writeString(dir.resolve("other.json"), "{\"a\": 1}");
    assertEquals(ExitCodes.USAGE, BenchCommand.execute("summary", "--dir", dir.toString()));
  }
}
