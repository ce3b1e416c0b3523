package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.function.VoidFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;

/**
 * A partition cached by a task that then fails goes uncounted (its retry reads the cached block),
 * and is counted again: the counts equal those of a run where no task failed. The failure is a kill
 * of the first attempt, which Spark retries even where a failed task is not (a local[2] master).
 */
class MissedPartitionsIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig config;

  @BeforeAll
  static void writeSources() throws IOException {
    spark = SharedSpark.get();
    config =
        ConfigLoader.fromYaml(
            """
        data:
          key: [device, event]
          sources:
            - {name: events, format: csv, path: events.csv, timestamp: ts}
            - {name: readings, format: json, path: readings.jsonl, key: [device], numeric: [temp], timestamp: ts,
               align: nearest, tolerance: 10}
        prep:
          partitions: 2
          maxRejectFraction: 0.5
          split: {train: 0.6, validation: 0.2}
        tasks:
          - {name: y, type: binary, source: events, column: y}
        """,
            "missed.yaml");
    Files.createDirectories(dir.resolve("data"));
    Files.writeString(
        dir.resolve("data/events.csv"),
        String.join(
            "\n",
            "device,event,ts,y",
            "d1,e1,100,1",
            "d1,e2,205,0",
            "d2,e3,50,1",
            "d2,e4,35,0",
            "d1,e5,96,1",
            "d3,e6,7,0",
            "d3,e7,later,1",
            "d1,e1,100,1",
            "d4,e8,1,",
            ""),
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("data/readings.jsonl"),
        String.join(
            "\n",
            "{\"device\": \"d1\", \"ts\": 95, \"temp\": 1}",
            "{\"device\": \"d1\", \"ts\": 103, \"temp\": 2}",
            "{\"device\": \"d1\", \"ts\": 200, \"temp\": 3}",
            "{\"device\": \"d2\", \"ts\": 30, \"temp\": 5}",
            "{\"device\": \"d2\", \"ts\": \"yesterday\", \"temp\": 6}",
            ""),
        StandardCharsets.UTF_8);
  }

  /** Kills the first attempt of the task of {@code partition}, once it has run, leaving a marker file. */
  static void killFirstAttempt(int partition, Path marker) throws IOException {
    TaskContext task = TaskContext.get();
    if (task.partitionId() == partition && task.attemptNumber() == 0) {
      Files.writeString(marker, "killed");
      throw new TaskKilledException("killed by the test once its partition is cached");
    }
  }

  @Test
  void alignedRecordsCachedByAFailedTaskAreCountedAgain() throws IOException {
    String data = dir.resolve("data").toString();
    AlignedSources plain =
        AlignedSources.read(
            spark,
            config,
            data,
            new org.apache.hadoop.fs.Path(dir.resolve("plain").toString()),
            AlignedSources.Mode.FIT);
    List<Integer> sizes =
        plain
            .aligned()
            .mapPartitions(
                it -> {
                  int n = 0;
                  for (; it.hasNext(); it.next()) {
                    n++;
                  }
                  return List.of(n).iterator();
                })
            .collect();
    plain.unpersist();
    assertEquals(2, sizes.size());
    assertTrue(sizes.get(1) > 0, "the partition killed holds records: " + sizes);
    assertTrue(plain.counts().rejected() > 0, "some rows are rejected: " + plain.counts());

    String marker = dir.resolve("killed-aligned").toString();
    VoidFunction<Iterator<AlignedRecord>> kill = it -> killFirstAttempt(1, Path.of(marker));
    AlignedSources failed =
        AlignedSources.read(
            spark,
            config,
            data,
            new org.apache.hadoop.fs.Path(dir.resolve("failed").toString()),
            AlignedSources.Mode.FIT,
            kill);
    failed.unpersist();
    assertTrue(Files.exists(Path.of(marker)), "the first attempt was killed");
    assertEquals(plain.counts(), failed.counts());
  }

  @Test
  void sourceRowsCachedByAFailedTaskAreReadAgain() throws IOException {
    int readings = 1;
    SourceRows rows =
        SourceRows.read(
            spark,
            new SerializableConf(spark.sparkContext().hadoopConfiguration()),
            config,
            dir.resolve("data").toString(),
            new org.apache.hadoop.fs.Path(dir.resolve("rows").toString()),
            false);
    try {
      assertFalse(
          config.data().isRecordSource(config.data().sources().get(readings)),
          "readings are cached");
      String marker = dir.resolve("killed-rows").toString();
      rows.rows().get(readings).foreachPartition(it -> killFirstAttempt(0, Path.of(marker)));
      assertTrue(Files.exists(Path.of(marker)), "the first attempt was killed");
      assertFalse(
          rows.tallies().partitions().contains(RowTally.partition(readings, 0)),
          "the partition cached by the killed attempt went uncounted");

      MissedPartitions.countRows(rows);
      RowTally tally = rows.tallies().value();
      assertEquals(4, tally.accepted(readings));
      assertEquals(1, tally.rejected(readings));
      // The events were never read: they are read now, and their one reject (a time of "later")
      // counted.
      assertEquals(1, tally.rejected(0));
      assertEquals(2, tally.byReason().values().stream().mapToLong(Long::longValue).sum());
    } finally {
      rows.unpersist();
    }
  }

  @Test
  void theManifestCarriesTheCountsOfTheAlignedSources() throws IOException {
    // The same sources through prep: the manifest's counts are those of the aligned sources.
    Manifest m =
        new PrepJob(spark)
            .run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
    AlignedSources plain =
        AlignedSources.read(
            spark,
            config,
            dir.resolve("data").toString(),
            new org.apache.hadoop.fs.Path(dir.resolve("again").toString()),
            AlignedSources.Mode.FIT);
    plain.unpersist();
    assertEquals(plain.counts(), m.counts());
  }
}
