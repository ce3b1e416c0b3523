package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;

/**
 * Sentences whose entity tags need context: every name is used both as a person ("mr X", "ms X
 * Y") and as a place ("in X", "from X"), equally often, so that each token's most frequent tag is
 * right on about half of the entities; only a model that reads the word before can tag them all. A
 * record task (the mood, set by one word) is trained beside it on the same texts. Then new
 * sentences are scored.
 */
class TokenTasksIT {
  static final String[] NAMES = {
    "jordan",
    "paris",
    "austin",
    "chester",
    "florence",
    "sydney",
    "victoria",
    "dallas",
    "georgia",
    "adelaide",
    "regina",
    "lincoln",
    "madison",
    "orlando",
    "savannah",
    "charlotte"
  };
  static final String[] FILLER = {
    "we", "saw", "the", "a", "day", "it", "was", "then", "later", "again", "and", "so", "very"
  };
  static final int SENTENCES = 1400;

  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest prep;
  static EvaluateJob.Report report;
  static Map<String, Row> scored = new HashMap<>();

  /** One sentence: tokens, their tags, and its mood. */
  record Sentence(List<String> tokens, List<String> tags, String mood) {}

  static Sentence sentence(Random r) {
    List<String> tokens = new ArrayList<>();
    List<String> tags = new ArrayList<>();
    int phrases = 1 + r.nextInt(2);
    for (int p = 0; p < phrases; p++) {
      for (int f = r.nextInt(3); f > 0; f--) {
        tokens.add(FILLER[r.nextInt(FILLER.length)]);
        tags.add("O");
      }
      boolean person = r.nextBoolean();
      tokens.add(person ? (r.nextBoolean() ? "mr" : "ms") : (r.nextBoolean() ? "in" : "from"));
      tags.add("O");
      tokens.add(NAMES[r.nextInt(NAMES.length)]);
      tags.add(person ? "B-PER" : "B-LOC");
      if (r.nextInt(3) == 0) {
        tokens.add(NAMES[r.nextInt(NAMES.length)]);
        tags.add(person ? "I-PER" : "I-LOC");
      }
    }
    boolean happy = r.nextBoolean();
    tokens.add(happy ? "great" : "awful");
    tags.add("O");
    return new Sentence(tokens, tags, happy ? "yes" : "no");
  }

  static final String CONFIG =
      """
      data:
        key: [id]
        sources:
          - {name: s, format: csv, path: s.csv, text: text}
      tasks:
        - {name: entities, type: tokens, source: s, column: tags}
        - {name: mood, type: binary, source: s, column: mood}
      prep:
        partitions: 2
        text: {split: whitespace, maxTokens: 16, minCount: 1}
      model:
        textEncoder: bilstm
        textEmbedding: 16
        textHidden: 16
        trunk: [16]
      train:
        epochs: 6
        learningRate: 0.01
      """;

  @BeforeAll
  static void prepareTrainEvaluateAndScore() throws IOException {
    spark = SharedSpark.get();
    Random r = new Random(11);
    StringBuilder csv = new StringBuilder("id,text,tags,mood\n");
    for (int i = 0; i < SENTENCES; i++) {
      Sentence s = sentence(r);
      // A few texts whose tags do not line up with their tokens: left unlabelled, counted.
      String tags =
          String.join(" ", i % 200 == 7 ? s.tags().subList(1, s.tags().size()) : s.tags());
      csv.append("s%d,%s,%s,%s%n".formatted(i, String.join(" ", s.tokens()), tags, s.mood()));
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Files.writeString(data.resolve("s.csv"), csv);
    MtlConfig config = ConfigLoader.fromYaml(CONFIG, "tokens.yaml");
    prep = new PrepJob(spark).run(config, data.toString(), dir.resolve("prep").toString());
    new TrainJob(spark).run(config, dir.resolve("prep").toString(), dir.resolve("run").toString());
    report =
        new EvaluateJob(spark)
            .run(dir.resolve("run").toString(), dir.resolve("prep").toString(), "test", 2);
    System.out.println(EvaluateJob.table(report));

    Path fresh = Files.createDirectories(dir.resolve("fresh"));
    Files.writeString(
        fresh.resolve("s.csv"),
        """
        id,text,tags,mood
        a,we saw mr paris in jordan great,NA,NA
        b,from paris ms jordan austin awful,NA,NA
        """);
    new ScoreJob(spark)
        .run(
            dir.resolve("run").toString(),
            fresh.toString(),
            dir.resolve("scored").toString(),
            ScoreJob.Format.PARQUET);
    for (Row row :
        spark.read().parquet(dir.resolve("scored/predictions").toString()).collectAsList()) {
      scored.put(row.getString(0), row);
    }
  }

  @Test
  void theTaggerBeatsEachTokensMostFrequentTagByAClearMargin() {
    TaskMetrics entities = report.tasks().get("entities");
    assertEquals("entity_f1", entities.primaryMetric());
    double f1 = entities.metrics().get("entity_f1");
    double baseline = entities.baseline().get("entity_f1");
    // Each name is a person or a place with even odds, and sometimes a second name (I-): the
    // baseline gets at most about half of the entities.
    assertTrue(baseline > 0.1 && baseline < 0.6, "baseline entity F1 " + baseline);
    assertTrue(f1 > 0.9, "entity F1 " + f1);
    assertTrue(f1 > baseline + 0.3, "entity F1 " + f1 + ", baseline " + baseline);
    assertTrue(
        entities.metrics().get("accuracy") > entities.baseline().get("accuracy"),
        entities.toString());
    assertTrue(entities.beatsBaseline());
  }

  @Test
  void theRecordTaskLearnsBesideIt() {
    TaskMetrics mood = report.tasks().get("mood");
    assertTrue(mood.metrics().get("auc") > 0.95, mood.toString());
  }

  @Test
  void theManifestKnowsTheTagsTheBaselineAndTheTextsThatDidNotLineUp() {
    TaskEncoding entities = prep.featurizers().tasks().get(0);
    assertEquals(List.of("B-LOC", "B-PER", "I-LOC", "I-PER", "O"), entities.classes());
    assertTrue(
        entities.mismatchedRows() >= 1 && entities.mismatchedRows() <= 7, entities.toString());
    assertEquals(prep.featurizers().textVocabularySize(), entities.tokenTags().size());
    // "mr" is always O; a name is B-PER or B-LOC, whichever it had more often.
    int mr = prep.featurizers().vocabulary().indexOf("mr") + 3;
    assertEquals(entities.classes().indexOf("O"), entities.baselineTag(mr));
    int paris = prep.featurizers().vocabulary().indexOf("paris") + 3;
    assertTrue(entities.classes().get(entities.baselineTag(paris)).startsWith("B-"));
  }

  @Test
  void scoringTagsEveryTokenOfNewSentences() {
    assertEquals("O O O B-PER O B-LOC O", scored.get("a").getString(1));
    assertEquals("O B-LOC O B-PER I-PER O", scored.get("b").getString(1));
    assertEquals(7, scored.get("a").getString(2).split(" ").length);
  }
}
