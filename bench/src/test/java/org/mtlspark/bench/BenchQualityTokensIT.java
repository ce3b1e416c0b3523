package org.mtlspark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * bench quality on data with a token task beside a record task, peers included: the peers fit the
 * record task only, the token task's row has the models' figures and none of theirs, and Delta-m
 * is given for the models that have every task.
 */
class BenchQualityTokensIT {
  @TempDir Path dir;

  @Test
  @SuppressWarnings("unchecked")
  void peersSkipTheTokenTaskAndTheModelsHaveIt() throws IOException {
    InProcessCommand.localSpark();
    SharedSpark.get();
    Random r = new Random(3);
    StringBuilder csv = new StringBuilder("id,text,tags,mood\n");
    for (int i = 0; i < 400; i++) {
      boolean person = r.nextBoolean();
      boolean happy = r.nextBoolean();
      csv.append(
          "s%d,%s %s %s,O %s O,%s%n"
              .formatted(
                  i,
                  person ? "mr" : "in",
                  r.nextBoolean() ? "paris" : "jordan",
                  happy ? "great" : "awful",
                  person ? "B-PER" : "B-LOC",
                  happy ? "yes" : "no"));
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("s.csv"), csv);
    Path config = dir.resolve("tokens.yaml");
    Files.writeString(
        config,
        """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s.csv, text: text}
        tasks:
          - {name: entities, type: tokens, source: s, column: tags}
          - {name: mood, type: binary, source: s, column: mood}
        prep:
          text: {split: whitespace, maxTokens: 4, minCount: 1}
        model:
          textEncoder: bilstm
          textHidden: 8
        train:
          epochs: 2
        """);
    Path out = dir.resolve("quality.json");
    InProcessCommand.Outcome o =
        InProcessCommand.run(
            BenchCommand::execute,
            "quality",
            "--config",
            config.toString(),
            "--data",
            data.toString(),
            "--models",
            "single-task,hard+concat",
            "--peers",
            "linear",
            "--linear-iter",
            "20",
            "--work",
            dir.resolve("work").toString(),
            "--out",
            out.toString());
    assertEquals(0, o.code(), o.err());
    Map<String, Object> results = new ObjectMapper().readValue(out.toFile(), Map.class);
    List<Map<String, Object>> rows =
        (List<Map<String, Object>>) ((Map<String, Object>) results.get("details")).get("results");
    Map<String, Object> entities =
        rows.stream().filter(x -> x.get("task").equals("entities")).findFirst().orElseThrow();
    Map<String, Object> mood =
        rows.stream().filter(x -> x.get("task").equals("mood")).findFirst().orElseThrow();
    assertEquals("entity_f1", entities.get("metric"));
    assertTrue(entities.containsKey("single-task") && entities.containsKey("hard+concat"));
    assertFalse(entities.containsKey("linear"), "no peer figure for a token task");
    assertTrue(mood.containsKey("linear"), "the peer fits the record task");
    Map<String, Object> deltaM =
        (Map<String, Object>) ((Map<String, Object>) results.get("details")).get("deltaM");
    assertEquals(List.of("hard+concat"), List.copyOf(deltaM.keySet()), "the peer lacks a task");
  }
}
