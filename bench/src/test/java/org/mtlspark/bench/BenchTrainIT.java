package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * bench train through the command line on a small seed workload: the process ceiling trains in
 * processes of its own, (c) runs once per averaging frequency with a learning curve per epoch, time
 * to quality is measured against (a), and the PyTorch peer runs where a Python with torch is found
 * and says why it is skipped where not.
 */
class BenchTrainIT {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void everyPhaseTrainsAndTimeToQualityIsMeasuredAgainstThePlainLoop() throws Exception {
    Trained trained =
        train(
            "train",
            "--seed-rows",
            "6400",
            "--epochs",
            "2",
            "--phases",
            "a,c,s,e,p",
            "--averaging",
            "5,50");
    InProcessCommand.Outcome outcome = trained.outcome();
    Map<String, Map<String, Object>> phases = trained.phases();
    assertEquals(
        List.of("a", "c@5", "c@50", "e", "p", "s"), phases.keySet().stream().sorted().toList());

    // The untrained network's y1 RMSE is above 1 (y1 is a sum of 10 uniforms); each phase that
    // trained ends far below it, the loops in their own processes included.
    for (String id : List.of("a", "c@5", "e")) {
      Map<String, Object> metrics = (Map<String, Object>) phases.get(id).get("metrics");
      assertTrue(((Number) metrics.get("y1.rmse")).doubleValue() < 0.3, id + ": " + metrics);
    }

    // Streaming reads the same batches in the same order as (c) at the first frequency.
    assertEquals(
        phases.get("c@5").get("metrics"),
        phases.get("s").get("metrics"),
        "(s) trains exactly as (c@5)");

    Map<String, Object> a = run(phases.get("a"));
    assertEquals(2, ((List<?>) a.get("curve")).size(), "one point per epoch: " + a);
    assertTrue(
        ((Number) a.get("secondsToQuality")).doubleValue()
            <= ((Number) a.get("seconds")).doubleValue(),
        "(a) reaches its own final quality within its time: " + a);
    List<Map<String, Object>> curve =
        (List<Map<String, Object>>) run(phases.get("c@5")).get("curve");
    assertEquals(2, curve.size());
    double first = ((Number) curve.get(0).get("seconds")).doubleValue();
    double last = ((Number) curve.get(1).get("seconds")).doubleValue();
    assertTrue(
        0 < first
            && first < last
            && last <= ((Number) run(phases.get("c@5")).get("seconds")).doubleValue() + 1e-9,
        "the curve's training seconds grow and stay within the run's: " + curve);
    assertTrue(
        ((List<?>) run(phases.get("e")).get("curve")).isEmpty(),
        "the process loops are not evaluated between epochs");

    Map<String, Object> p = phases.get("p");
    if (((List<?>) p.get("runs")).isEmpty()) {
      assertTrue(
          ((String) p.get("description")).startsWith("PyTorch peer skipped: no Python with torch"),
          p.toString());
      assertTrue(outcome.out().contains("(p) PyTorch peer skipped"), outcome.out());
    } else {
      Map<String, Object> metrics = (Map<String, Object>) p.get("metrics");
      assertTrue(((Number) metrics.get("y1.rmse")).doubleValue() < 0.3, "PyTorch: " + metrics);
      assertTrue(outcome.out().contains("(a) / PyTorch one process (p): "), outcome.out());
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void distributedPyTorchFinishesWhenTheBatchesDoNotSplitEvenly() throws Exception {
    // 100 batches over 3 processes: one would have a batch more than the others.
    Trained trained =
        train("torch", "--seed-rows", "3200", "--epochs", "1", "--phases", "a,q", "--workers", "3");
    InProcessCommand.Outcome outcome = trained.outcome();
    Map<String, Object> q = trained.phases().get("q");
    if (((List<?>) q.get("runs")).isEmpty()) {
      assertTrue(
          ((String) q.get("description")).startsWith("PyTorch peer skipped: no Python with torch"),
          q.toString());
    } else {
      assertTrue(((Number) q.get("examplesPerSecond")).doubleValue() > 0, q.toString());
      assertTrue(outcome.out().contains("(q) PyTorch DistributedDataParallel, 3 processes"));
    }
  }

  /** What bench train printed, and its phases by id. */
  record Trained(InProcessCommand.Outcome outcome, Map<String, Map<String, Object>> phases) {}

  /**
   * Runs bench train on the seed workload, one repeat, with {@code args} added, into files named
   * {@code name}; checks that it succeeded.
   */
  @SuppressWarnings("unchecked")
  private Trained train(String name, String... args) throws Exception {
    InProcessCommand.localSpark();
    SharedSpark.get();
    Path out = dir.resolve(name + ".json");
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                "train",
                "--workloads",
                "seed",
                "--repeats",
                "1",
                "--work",
                dir.resolve("work-" + name).toString(),
                "--out",
                out.toString()));
    command.addAll(List.of(args));
    InProcessCommand.Outcome outcome =
        InProcessCommand.run(BenchCommand::execute, command.toArray(String[]::new));
    assertEquals(0, outcome.code(), outcome.err());
    Map<String, Object> results = new ObjectMapper().readValue(Files.readString(out), Map.class);
    Map<String, Object> seed =
        (Map<String, Object>) ((Map<String, Object>) results.get("details")).get("seed");
    return new Trained(
        outcome,
        ((List<Map<String, Object>>) seed.get("phases"))
            .stream().collect(Collectors.toMap(p -> (String) p.get("id"), p -> p)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> run(Map<String, Object> phase) {
    return ((List<Map<String, Object>>) phase.get("runs")).get(0);
  }
}
