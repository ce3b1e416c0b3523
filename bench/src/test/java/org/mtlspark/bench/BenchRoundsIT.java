package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * bench rounds through the command line at two worker counts and two model sizes: two workers
 * send the driver two states a round, four send one sum, and a cost model is fitted.
 */
class BenchRoundsIT {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void theDriverReceivesOneSumWithMoreThanTwoWorkersAndTheCostModelIsFitted() throws Exception {
    InProcessCommand.localSpark();
    SharedSpark.get();
    Path out = dir.resolve("rounds.json");
    InProcessCommand.Outcome outcome =
        InProcessCommand.run(
            BenchCommand::execute,
            "rounds",
            "--workers",
            "2,4",
            "--params",
            "1000,8000",
            "--rounds",
            "2",
            "--work",
            dir.resolve("work").toString(),
            "--out",
            out.toString());
    assertEquals(0, outcome.code(), outcome.err());
    Map<String, Object> results = new ObjectMapper().readValue(Files.readString(out), Map.class);
    Map<String, Object> details = (Map<String, Object>) results.get("details");
    List<Map<String, Object>> cells = (List<Map<String, Object>>) details.get("cells");
    assertEquals(4, cells.size(), cells.toString());
    for (Map<String, Object> c : cells) {
      double state =
          4.0
              * (((Number) c.get("parameters")).longValue()
                  + ((Number) c.get("updaterState")).longValue());
      double ratio = ((Number) c.get("driverBytesPerRound")).doubleValue() / state;
      int workers = ((Number) c.get("workers")).intValue();
      assertTrue(
          ((Number) c.get("driverAllocatedBytesPerRound")).doubleValue() > state,
          "the driver allocates at least the sum it receives: " + c);
      if (workers == 2) {
        assertTrue(ratio > 1.8 && ratio < 2.5, "two workers, two states: " + c);
      } else {
        assertTrue(ratio > 0.9 && ratio < 1.3, "four workers, one sum: " + c);
      }
    }
    assertEquals(3, ((List<?>) details.get("costModel")).size());
    assertTrue(outcome.out().contains("Cost model fitted to the cells"), outcome.out());
  }
}
