package org.mtlspark.prep.align;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.SourceReader;
import org.mtlspark.prep.source.SourceValues;
import org.mtlspark.prep.split.SplitOrder;
import org.mtlspark.testing.SharedSpark;

/**
 * Events keyed by (device, event) at a time take the sensor reading of their device closest in
 * time, within a tolerance, and never a later one unless allowed. Worked out by hand:
 * e1 at 100 has readings at 95 (past, 5 away) and 103 (future, 3 away); e2 at 205 has 200 and 210
 * (both 5 away); e3 at 50 has only 30 (20 away, beyond the tolerance of 10).
 */
class NearestInTimeIT {
  @TempDir static Path dir;
  static SparkSession spark;

  static final String EXPERIMENT =
      """
      data:
        key: [device, event]
        sources:
          - {name: events, format: csv, path: events.csv, timestamp: ts}
          - {name: readings, format: json, path: readings.jsonl, key: [device], numeric: [temp], timestamp: ts,
             align: nearest, tolerance: 10, allowFuture: FUTURE}
      prep:
        maxRejectFraction: 0.5
        split: {train: 0.9, validation: 0.05}
      tasks:
        - {name: y, type: binary, source: events, column: y}
      """;

  @BeforeAll
  static void writeSources() throws IOException {
    spark = SharedSpark.get();
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/events.csv"),
        String.join("\n", "device,event,ts,y", "d1,e1,100,1", "d1,e2,205,0", "d2,e3,50,1", ""),
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("data/readings.jsonl"),
        String.join(
            "\n",
            "{\"device\": \"d1\", \"ts\": 95, \"temp\": 1}",
            "{\"device\": \"d1\", \"ts\": 103, \"temp\": 2}",
            "{\"device\": \"d1\", \"ts\": 200, \"temp\": 3}",
            "{\"device\": \"d1\", \"ts\": 210, \"temp\": 4}",
            "{\"device\": \"d2\", \"ts\": 30, \"temp\": 5}",
            "{\"device\": \"d2\", \"ts\": \"yesterday\", \"temp\": 6}",
            ""),
        StandardCharsets.UTF_8);
  }

  static Map<String, Double> temperatures(boolean future) throws IOException {
    MtlConfig config =
        ConfigLoader.fromYaml(EXPERIMENT.replace("FUTURE", String.valueOf(future)), "nearest.yaml");
    RecordLayout layout = new RecordLayout(config);
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    List<JavaRDD<ParsedRow<SourceValues>>> rdds =
        SourceReader.readAll(spark, conf, config, dir.resolve("data").toString()).rows();
    return SourceAligner.align(spark, config.data(), rdds, layout, SplitOrder.unsplit(), 2)
        .collect()
        .stream()
        .collect(Collectors.toMap(r -> Keys.display(r.key()), r -> layout.numeric(r, 0)));
  }

  @Test
  void eachRecordTakesTheClosestPastReadingWithinTheTolerance() throws IOException {
    Map<String, Double> t = temperatures(false);
    assertEquals(3, t.size(), "readings add no records");
    assertEquals(1.0, t.get("d1, e1"), "95, not the closer 103 from the future");
    assertEquals(3.0, t.get("d1, e2"), "200; 210 is in the future");
    assertTrue(Double.isNaN(t.get("d2, e3")), "30 is 20 away, beyond the tolerance");
  }

  @Test
  void withTheFutureAllowedTheClosestReadingWinsAndTiesGoToTheEarlier() throws IOException {
    Map<String, Double> t = temperatures(true);
    assertEquals(2.0, t.get("d1, e1"), "103 is 3 away");
    assertEquals(3.0, t.get("d1, e2"), "200 and 210 are both 5 away: the earlier");
  }

  @Test
  void prepCountsReadingsAndRejectsAnUnreadableTimestamp() throws IOException {
    MtlConfig config = ConfigLoader.fromYaml(EXPERIMENT.replace("FUTURE", "false"), "nearest.yaml");
    Manifest m =
        new PrepJob(spark)
            .run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
    assertEquals(new Manifest.SourceCount(1, 6, 5, 1, 0), m.counts().sources().get("readings"));
    assertEquals(3, m.counts().records());
    assertTrue(
        m.counts().rejectsByReason().keySet().stream()
            .anyMatch(k -> k.startsWith("readings.ts: not a timestamp")),
        m.counts().rejectsByReason().toString());
  }
}
