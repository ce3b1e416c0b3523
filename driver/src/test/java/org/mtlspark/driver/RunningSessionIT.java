package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.score.ScoreJob;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.InProcessCommand;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;

/**
 * A program or notebook that already runs a SparkSession: a command run in its JVM works in that
 * session and leaves it running, and the jobs run from Java code with a configuration object (the
 * README's example) on the caller's session.
 */
class RunningSessionIT {
  @TempDir Path dir;

  @Test
  void aCommandRunsInTheRunningSessionAndLeavesItRunning() {
    SparkSession spark = SharedSpark.get();
    InProcessCommand.localSpark();
    String data = dir.resolve("data").toString();
    InProcessCommand.Outcome o = InProcessCli.mtl("generate", "--out", data, "--rows", "200");
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.isDirectory(Path.of(data)));
    assertFalse(spark.sparkContext().isStopped(), "the caller's session is still running");
    assertSame(spark, SparkSessions.running().orElseThrow());
    assertEquals(10, spark.range(10).count(), "and still usable");
  }

  @Test
  void theJobsRunFromJavaOnTheCallersSession() throws IOException {
    SparkSession spark = SharedSpark.get();
    String data = dir.resolve("data").toString();
    String prep = dir.resolve("prep").toString();
    String run = dir.resolve("run").toString();
    // As in the README ("From Java or Scala").
    MtlConfig config = ConfigLoader.load(List.of(), List.of("generate.rows=800", "train.epochs=2"));
    new GenerateJob(spark).run(config, data);
    new PrepJob(spark).run(config, data, prep);
    new TrainJob(spark).run(config, prep, run);
    EvaluateJob.Report report = new EvaluateJob(spark).run(run, prep, "test", 2);
    ScoreJob.Summary scored =
        new ScoreJob(spark)
            .run(run, data, dir.resolve("scored").toString(), ScoreJob.Format.PARQUET);

    assertTrue(
        report.tasks().values().stream().allMatch(t -> t.beatsBaseline()),
        "every task beats its trivial baseline: " + report.tasks());
    assertEquals(800, scored.scored(), "every generated record scored");
    assertFalse(spark.sparkContext().isStopped());
  }
}
