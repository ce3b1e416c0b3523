package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.driver.InProcessCli.mtl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * The demo with a token task, as the README shows it: {@code demo --config
 * conf/examples/demo-tokens.yaml} generates the built-in data, whose support requests carry entity
 * tags that need the neighbouring words ("the basic plan" against "a basic question"), trains the
 * tagger beside the record tasks and exits 0 only if every task beats its baseline; {@code score}
 * then tags the requests.
 */
class DemoTokensIT {
  @TempDir static Path dir;
  static InProcessCommand.Outcome demo;
  static JsonNode entities;

  @BeforeAll
  static void runTheDemo() throws Exception {
    InProcessCommand.localSpark();
    String config = SharedSpark.confDir().resolve("examples/demo-tokens.yaml").toString();
    demo =
        mtl(
            "demo",
            "--config",
            config,
            "--rows",
            "1500",
            "--out",
            dir.resolve("demo").toString(),
            "--set",
            "train.epochs=10",
            "--set",
            "train.averagingFrequency=8",
            "--set",
            "train.learningRate=0.01");
    entities =
        new ObjectMapper()
            .readTree(Files.readString(dir.resolve("demo/run/metrics.json")))
            .path("tasks")
            .path("entities");
  }

  @Test
  void everyTaskBeatsItsBaselineAndTheTaggerByAClearMargin() {
    assertEquals(0, demo.code(), demo.err());
    assertTrue(demo.out().contains("entities     tokens"), demo.out());
    double f1 = entities.path("metrics").path("entity_f1").asDouble();
    double baseline = entities.path("baseline").path("entity_f1").asDouble();
    // Ambiguous words and days inside "next <day>" keep each token's most frequent tag near 0.55.
    assertTrue(baseline > 0.3 && baseline < 0.75, "baseline entity F1 " + baseline);
    assertTrue(f1 > 0.95, "entity F1 " + f1 + ", baseline " + baseline);
    // Without the text there are no tokens to tag; the table says so instead of a number.
    assertTrue(demo.out().contains("n/a (no tokens)"), demo.out());
  }

  @Test
  void scoringTagsTheRequestsAsTheyWereTagged() throws Exception {
    String data = dir.resolve("demo/data").toString();
    String scored = dir.resolve("scored").toString();
    assertEquals(
        0,
        mtl("score", "--model", dir.resolve("demo/run").toString(), "--data", data, "--out", scored)
            .code());
    SparkSession spark = SharedSpark.get();
    // The test split's requests: the tagger never trained on them.
    java.util.Set<String> test = new java.util.HashSet<>();
    for (Row r :
        spark
            .read()
            .parquet(dir.resolve("demo/prep/examples/test").toString())
            .select("key")
            .collectAsList()) {
      test.add(r.getString(0));
    }
    Map<String, String> truth = new HashMap<>();
    for (Row r :
        spark
            .read()
            .json(data + "/text")
            .where("request_tags IS NOT NULL")
            .select("id", "request_tags")
            .collectAsList()) {
      truth.put(r.getString(0), r.getString(1));
    }
    long tokens = 0;
    long right = 0;
    long ambiguousRight = 0;
    long ambiguous = 0;
    for (Row r :
        spark
            .read()
            .parquet(scored + "/predictions")
            .where("entities <> ''")
            .select("id", "entities")
            .collectAsList()) {
      if (!test.contains(r.getString(0))) {
        continue;
      }
      String[] want = truth.get(r.getString(0)).split(" ");
      String[] got = r.getString(1).split(" ");
      // Tagged up to prep's maxTokens; a longer request's tail is not tagged.
      assertTrue(got.length <= want.length, r.toString());
      for (int t = 0; t < got.length; t++) {
        tokens++;
        right += got[t].equals(want[t]) ? 1 : 0;
        if (t > 0 && want[t].startsWith("I-DATE")) {
          ambiguous++;
          ambiguousRight += got[t].equals(want[t]) ? 1 : 0;
        }
      }
    }
    assertTrue(tokens > 1500, "tokens " + tokens);
    assertTrue(right > 0.98 * tokens, right + " of " + tokens);
    // A day after "next" continues the date, after "on" it starts one, about as often: only the
    // word before tells which.
    assertTrue(
        ambiguous >= 10 && ambiguousRight > 0.9 * ambiguous, ambiguousRight + "/" + ambiguous);
  }
}
