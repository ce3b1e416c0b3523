package org.mtlspark.driver.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The driver JVM killed in the middle of training: running the same `train` again resumes from
 * the latest checkpoint, loses at most the epoch in progress, and ends with the metrics of an
 * uninterrupted run.
 */
class DriverRestartHeavyIT {
  @TempDir Path dir;

  @Test
  void aKilledTrainingResumesAndMatchesAnUninterruptedRun() throws Exception {
    try (JvmProcesses jvms = new JvmProcesses()) {
      Path data = dir.resolve("data");
      Path prep = dir.resolve("prep");
      run(jvms, List.of("generate", "--rows", "3000", "--out", data.toString()), "generate");
      run(jvms, List.of("prep", "--data", data.toString(), "--out", prep.toString()), "prep");
      List<String> train = List.of("train", "--prep", prep.toString(), "--set", "train.epochs=8");

      Path whole = dir.resolve("whole");
      run(jvms, JvmProcesses.concat(train, "--out", whole.toString()), "uninterrupted");

      Path resumed = dir.resolve("resumed");
      Process first =
          jvms.mtl(
              JvmProcesses.concat(train, "--out", resumed.toString()), dir.resolve("first.log"));
      JvmProcesses.await(
          "the second checkpoint",
          300,
          () ->
              Files.exists(resumed.resolve("checkpoints/epoch-0002/state.json"))
                  || !first.isAlive());
      assertTrue(
          first.isAlive(),
          "still training when killed: " + JvmProcesses.read(dir.resolve("first.log")));
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
      assertTrue(!Files.exists(resumed.resolve("model.zip")), "the killed run left no final model");

      run(jvms, JvmProcesses.concat(train, "--out", resumed.toString()), "restarted");
      ObjectMapper json = new ObjectMapper();
      JsonNode log = json.readTree(resumed.resolve("training.json").toFile());
      assertTrue(
          log.get("resumedFromEpoch").asInt() >= 2, "lost at most the epoch in progress: " + log);
      assertEquals(8, log.get("epochs").size());

      run(
          jvms,
          List.of("evaluate", "--run", whole.toString(), "--prep", prep.toString()),
          "evaluate whole");
      run(
          jvms,
          List.of("evaluate", "--run", resumed.toString(), "--prep", prep.toString()),
          "evaluate resumed");
      JsonNode a = json.readTree(whole.resolve("metrics.json").toFile()).get("tasks");
      JsonNode b = json.readTree(resumed.resolve("metrics.json").toFile()).get("tasks");
      for (String task : List.of("spend", "tier", "churn")) {
        String primary = a.get(task).get("primaryMetric").asText();
        double x = a.get(task).get("metrics").get(primary).asDouble();
        double y = b.get(task).get("metrics").get(primary).asDouble();
        assertEquals(x, y, 0.01 * Math.abs(x), task + " " + primary);
      }
    }
  }

  private void run(JvmProcesses jvms, List<String> args, String name) throws Exception {
    Path log = dir.resolve(name.replace(' ', '-') + ".log");
    Process p = jvms.mtl(args, log);
    assertTrue(p.waitFor(6, TimeUnit.MINUTES), name + " finished in time");
    assertEquals(0, p.exitValue(), name + ": " + JvmProcesses.read(log));
  }
}
