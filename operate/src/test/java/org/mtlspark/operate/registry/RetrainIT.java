package org.mtlspark.operate.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;

/** Two daily partitions of generated data retrained into one registry, in order. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RetrainIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static MtlConfig config;
  static ModelRegistry registry;

  @BeforeAll
  static void generateTwoPartitions() throws IOException {
    spark = SharedSpark.get();
    config = ConfigLoader.load(List.of(), List.of("generate.rows=1500", "train.epochs=2"));
    for (int day = 1; day <= 2; day++) {
      MtlConfig daily =
          ConfigLoader.load(
              List.of(), List.of("generate.rows=1500", "generate.seed=" + (40 + day)));
      new GenerateJob(spark).run(daily, dir.resolve("data/day=" + day).toString());
    }
    registry =
        new ModelRegistry(
            spark.sparkContext().hadoopConfiguration(), dir.resolve("registry").toString());
  }

  static RetrainJob.Request request(String runId, int day) {
    return request(runId, day, 0.02);
  }

  static RetrainJob.Request request(String runId, int day, double tolerance) {
    return new RetrainJob.Request(
        "demo",
        runId,
        dir.resolve("data/day=" + day).toString(),
        dir.resolve("work").toString(),
        tolerance,
        Duration.ofHours(1));
  }

  @Test
  @Order(1)
  void theFirstRunTrainsFreshAndIsPromotedWhenEveryTaskBeatsItsBaseline() throws IOException {
    RetrainJob.Result r = new RetrainJob(spark).run(config, registry, request("day1", 1));
    assertEquals(RetrainJob.Outcome.PROMOTED, r.outcome(), r.reason());
    assertEquals("v0001", r.version());
    assertNull(r.promotedBefore());
    assertTrue(r.warmStart().contains("no promoted version"), r.warmStart());
    assertNull(r.warmStartedFrom());
    assertEquals("v0001", registry.promoted("demo").orElseThrow());
    ModelVersion v = registry.show("demo", "v0001");
    assertEquals("day1", v.runId());
    assertEquals(64, v.data().fingerprint().length());
    assertTrue(
        v.data().files().stream().anyMatch(f -> f.startsWith("labels/")),
        v.data().files().toString());
    assertTrue(Files.exists(dir.resolve("work/day1/retrain.json")));
  }

  @Test
  @Order(2)
  void theSameRunIdDoesNotTrainTwice() throws IOException {
    RetrainJob.Result r = new RetrainJob(spark).run(config, registry, request("day1", 1));
    assertTrue(r.alreadyDone());
    assertEquals(RetrainJob.Outcome.PROMOTED, r.outcome());
    assertEquals("v0001", r.version());
    assertEquals(1, registry.list("demo").size());
  }

  /** Warm-started and trained longer, under a generous tolerance: the objective improves, and it is promoted. */
  @Test
  @Order(3)
  void theNextDayWarmStartsAndIsPromotedWhenItImprovesWithoutRegressions() throws IOException {
    MtlConfig longer =
        ConfigLoader.load(List.of(), List.of("generate.rows=1500", "train.epochs=6"));
    RetrainJob.Result r = new RetrainJob(spark).run(longer, registry, request("day2", 2, 0.5));
    assertEquals(RetrainJob.Outcome.PROMOTED, r.outcome(), r.reason());
    assertTrue(r.reason().startsWith("the objective improved: "), r.reason());
    assertTrue(r.newObjective() > r.promotedObjective(), r.reason());
    assertEquals("v0002", r.version());
    assertEquals("v0001", r.promotedBefore());
    assertEquals("v0001", r.warmStartedFrom());
    assertEquals("warm start from v0001", r.warmStart());
    assertEquals("v0001", registry.show("demo", "v0002").warmStartedFrom());
    assertEquals(
        r.newMetrics().keySet(), r.promotedMetrics().keySet(), "both models on the same holdout");
    assertEquals("v0002", registry.promoted("demo").orElseThrow());
  }

  /** A deliberately weak network (a tiny trunk, one epoch) trains fresh, says why, and is not promoted. */
  @Test
  @Order(4)
  void anotherNetworkTrainsFreshSaysWhyAndAWeakOneIsNotPromoted() throws IOException {
    MtlConfig weak =
        ConfigLoader.load(
            List.of(), List.of("generate.rows=1500", "train.epochs=1", "model.trunk=[4]"));
    RetrainJob.Result r = new RetrainJob(spark).run(weak, registry, request("day2-small", 2, 0.5));
    assertTrue(
        r.warmStart().contains("training fresh") && r.warmStart().contains("model"), r.warmStart());
    assertNull(r.warmStartedFrom());
    assertNull(registry.show("demo", r.version()).warmStartedFrom());
    assertEquals(
        r.newMetrics().keySet(),
        r.promotedMetrics().keySet(),
        "the promoted model is evaluated on the holdout prepared its own way");
    assertEquals(RetrainJob.Outcome.NOT_PROMOTED, r.outcome(), r.reason());
    assertTrue(r.reason().startsWith("the objective did not improve: "), r.reason());
    assertTrue(r.newObjective() < r.promotedObjective(), r.reason());
    assertEquals("v0002", registry.promoted("demo").orElseThrow(), r.reason());
    assertFalse(registry.show("demo", r.version()).decision().promote());
  }

  @Test
  @Order(5)
  void aSecondRetrainWhileOneHoldsTheLockIsRefused() throws IOException {
    try (RegistryLock held = registry.lock("demo", "another retrain", Duration.ofHours(1))) {
      RegistryException e =
          assertThrows(
              RegistryException.class,
              () -> new RetrainJob(spark).run(config, registry, request("day3", 2)));
      assertTrue(e.getMessage().contains("held by another retrain"), e.getMessage());
    }
    assertTrue(registry.findRun("demo", "day3").isEmpty(), "nothing was trained or registered");
  }

  /** What a scheduler's kill looks like to the code after the step. */
  static final class Crash extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Crash(RetrainJob.Step step) {
      super("crash after " + step);
    }
  }

  static RetrainJob.Request request(String model, String runId, int day, String work) {
    return new RetrainJob.Request(
        model,
        runId,
        dir.resolve("data/day=" + day).toString(),
        dir.resolve(work).toString(),
        0.02,
        Duration.ofHours(1));
  }

  static RetrainJob crashingAfter(RetrainJob.Step step) {
    return new RetrainJob(spark)
        .afterEachStep(
            s -> {
              if (s == step) {
                throw new Crash(s);
              }
            });
  }

  static java.nio.file.attribute.FileTime modified(Path p) throws IOException {
    return Files.getLastModifiedTime(p);
  }

  /** A crash after each step, then the same command again: it completes, with exactly one version. */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(RetrainJob.Step.class)
  @Order(6)
  void aRetryAfterACrashAtAnyStepCompletesWithOneVersion(RetrainJob.Step step) throws IOException {
    String model = "crash-" + step.name().toLowerCase();
    RetrainJob.Request req = request(model, "day1", 1, "work-" + model);
    Crash crash = assertThrows(Crash.class, () -> crashingAfter(step).run(config, registry, req));
    assertEquals("crash after " + step, crash.getMessage());
    Path work = dir.resolve("work-" + model + "/day1");
    java.nio.file.attribute.FileTime prepared = modified(work.resolve("prep/manifest.json"));
    java.nio.file.attribute.FileTime trained =
        step.compareTo(RetrainJob.Step.TRAIN) >= 0 ? modified(work.resolve("run/model.zip")) : null;

    RetrainJob.Result r = new RetrainJob(spark).run(config, registry, req);
    assertEquals("v0001", r.version(), r.reason());
    assertEquals(
        List.of("v0001"), registry.list(model).stream().map(ModelVersion::version).toList());
    assertEquals(RetrainJob.Outcome.PROMOTED, r.outcome(), r.reason());
    assertEquals("v0001", registry.promoted(model).orElseThrow());
    assertEquals(1, registry.pointer(model).orElseThrow().history().size(), "promoted once");
    assertEquals(step.compareTo(RetrainJob.Step.REGISTER) >= 0, r.alreadyDone(), r.reason());
    assertEquals(
        prepared, modified(work.resolve("prep/manifest.json")), "the prepared data was reused");
    if (trained != null) {
      assertEquals(
          trained, modified(work.resolve("run/model.zip")), "the trained model was reused");
    }
    if (step == RetrainJob.Step.REGISTER) {
      assertTrue(r.reason().contains("promoted it now as decided then"), r.reason());
    }
    assertTrue(registry.damaged(model).isEmpty());
    // And once more: nothing to do.
    assertTrue(new RetrainJob(spark).run(config, registry, req).alreadyDone());
    assertEquals(1, registry.list(model).size());
  }

  /** A promotion by hand between a crash and the retry wins: the retry does not promote over it. */
  @Test
  @Order(7)
  void aRetryDoesNotPromoteOverAChangeMadeByHand() throws IOException {
    RetrainJob.Request req = request("moved", "day1", 1, "work-moved");
    assertThrows(
        Crash.class, () -> crashingAfter(RetrainJob.Step.REGISTER).run(config, registry, req));
    String other =
        registry
            .register(
                "moved",
                registry.versionDir("demo", "v0001").toString(),
                "by-hand",
                registry.show("demo", "v0001").data(),
                0.5,
                null)
            .version();
    registry.promote("moved", other);
    RetrainJob.Result r = new RetrainJob(spark).run(config, registry, req);
    assertEquals(RetrainJob.Outcome.NOT_PROMOTED, r.outcome(), r.reason());
    assertTrue(r.reason().contains("the promoted version is " + other), r.reason());
    assertEquals(other, registry.promoted("moved").orElseThrow());
  }

  /** A promotion by hand while a retrain evaluates: the retrain registers its version but does not promote it. */
  @Test
  @Order(7)
  void aRetrainDoesNotPromoteOverAChangeMadeWhileItRan() throws IOException {
    String[] byHand = new String[1];
    RetrainJob.Result r =
        new RetrainJob(spark)
            .afterEachStep(
                step -> {
                  if (step == RetrainJob.Step.EVALUATE) {
                    try {
                      byHand[0] =
                          registry
                              .register(
                                  "moved-live",
                                  registry.versionDir("demo", "v0001").toString(),
                                  "by-hand",
                                  registry.show("demo", "v0001").data(),
                                  0.5,
                                  null)
                              .version();
                      registry.promote("moved-live", byHand[0]);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  }
                })
            .run(config, registry, request("moved-live", "day1", 1, "work-moved-live"));
    assertEquals(RetrainJob.Outcome.NOT_PROMOTED, r.outcome(), r.reason());
    assertTrue(
        r.reason().startsWith("first version, and every task beats its baseline; but not promoted"),
        r.reason());
    assertEquals(byHand[0], registry.promoted("moved-live").orElseThrow());
    assertTrue(
        registry.show("moved-live", r.version()).decision().promote(), "the decision is kept");
    assertEquals(1, registry.pointer("moved-live").orElseThrow().history().size());
  }

  /** A work folder of another run, or one retrain did not make, is refused and left as it was. */
  @Test
  @Order(8)
  void aWorkFolderThatIsNotThisRunsIsLeftAlone() throws IOException {
    Path foreign = dir.resolve("work-foreign/day1/prep");
    Files.createDirectories(foreign);
    Files.writeString(foreign.resolve("notes.txt"), "mine");
    RetrainJob.WorkFolderException e =
        assertThrows(
            RetrainJob.WorkFolderException.class,
            () ->
                new RetrainJob(spark)
                    .run(config, registry, request("foreign", "day1", 1, "work-foreign")));
    assertTrue(e.getMessage().contains("was not made by retrain"), e.getMessage());
    assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));

    RetrainJob.Request req = request("changed", "day1", 1, "work-changed");
    assertThrows(Crash.class, () -> crashingAfter(RetrainJob.Step.PREP).run(config, registry, req));
    MtlConfig other = ConfigLoader.load(List.of(), List.of("generate.rows=1500", "train.epochs=1"));
    java.nio.file.attribute.FileTime prepared =
        modified(dir.resolve("work-changed/day1/prep/manifest.json"));
    RetrainJob.WorkFolderException changed =
        assertThrows(
            RetrainJob.WorkFolderException.class,
            () -> new RetrainJob(spark).run(other, registry, req));
    assertTrue(changed.getMessage().contains("another configuration"), changed.getMessage());
    assertEquals(prepared, modified(dir.resolve("work-changed/day1/prep/manifest.json")));
    assertTrue(registry.list("changed").isEmpty());
  }
}
