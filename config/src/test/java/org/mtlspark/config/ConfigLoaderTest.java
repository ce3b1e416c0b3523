package org.mtlspark.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  /** The project's conf/ folder, found upwards from the working folder (a module's folder in the build). */
  static Path confDir() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("conf/defaults.yaml"))) {
        return dir.resolve("conf");
      }
    }
    throw new IllegalStateException("no conf/defaults.yaml above " + Path.of("").toAbsolutePath());
  }

  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  private ConfigException fails(String yaml) throws IOException {
    Path p = write("bad.yaml", yaml);
    return assertThrows(
        ConfigException.class, () -> ConfigLoader.load(List.of(p.toString()), List.of()));
  }

  @Test
  void defaultsAreCompleteAndValid() {
    MtlConfig c = ConfigLoader.load(List.of(), List.of());
    assertEquals(3, c.tasks().size());
    assertEquals(TaskConfig.TaskType.MULTICLASS, c.task("tier").type());
    assertEquals(0.1, c.prep().split().test(), 1e-12);
  }

  @Test
  void everyFileInConfLoads() throws IOException {
    Path conf = confDir();
    try (Stream<Path> files = Files.list(conf.resolve("examples"))) {
      List<Path> examples = files.filter(p -> p.toString().endsWith(".yaml")).toList();
      assertTrue(!examples.isEmpty(), "conf/examples holds experiment files");
      for (Path p : examples) {
        ConfigLoader.load(List.of(p.toString()), List.of());
      }
    }
    assertTrue(
        SparkDefaults.read(conf.resolve("spark-defaults.conf"))
            .containsKey("spark.kryo.registrator"));
  }

  @Test
  void aMisspeltKeyIsNamedWithTheClosestKnownKey() throws IOException {
    ConfigException e = fails("train:\n  epohcs: 3\n");
    assertEquals(1, e.problems().size());
    assertTrue(
        e.getMessage().contains("train.epohcs: unknown key, did you mean 'epochs'?"),
        e.getMessage());
  }

  @Test
  void huberIsForRegressionWithAPositiveDeltaAndModalityDropoutIsARate() throws IOException {
    ConfigException e =
        fails(
            """
        train:
          modalityDropout: 1.5
        tasks:
          - {name: a, type: regression, source: labels, column: a, loss: huber, huberDelta: 0}
          - {name: b, type: binary, source: labels, column: b, loss: huber}
        """);
    String m = e.getMessage();
    assertTrue(m.contains("train.modalityDropout: must be in [0, 1), was 1.5"), m);
    assertTrue(m.contains("tasks[0].huberDelta: must be > 0, was 0.0"), m);
    assertTrue(m.contains("tasks[1].loss: huber applies to regression tasks only; b is binary"), m);
    assertEquals(3, e.problems().size(), m);
  }

  @Test
  void selfAttentionOverTextNeedsAdam() throws IOException {
    ConfigException e =
        fails(
            """
        model:
          textEncoder: attention
        train:
          updater: sgd
        """);
    assertTrue(
        e.getMessage().contains("model.textEncoder: attention needs train.updater: adam"),
        e.getMessage());
  }

  @Test
  void itemsNameWhatAMultimnistSourceHoldsAndNoOtherFormat() throws IOException {
    ConfigException e =
        fails(
            """
        data:
          key: [id]
          sources:
            - name: t
              format: csv
              path: t.csv
              items: fashion
        tasks:
          - {name: y, type: regression, source: t, column: y}
        """);
    assertTrue(
        e.getMessage()
            .contains("data.sources[0].items: names what a multimnist source's files hold"),
        e.getMessage());
    assertEquals(
        SourceConfig.Items.FASHION,
        ConfigLoader.load(
                List.of(confDir().resolve("examples/multimnist-vqa.yaml").toString()),
                List.of(
                    "data.sources=[{name: digits, format: multimnist, path: ., image: image,"
                        + " items: fashion}]"))
            .data()
            .sources()
            .get(0)
            .items());
  }

  @Test
  void tableAndSparkSourcesNameWhatTheyReadAndOnlyTheyTakeAConditionOrOptions() throws IOException {
    ConfigException e =
        fails(
            """
        data:
          key: [id]
          sources:
            - {name: a, format: table, numeric: [x]}
            - {name: b, format: table, table: "db.t; drop", path: b}
            - {name: c, format: spark, path: c}
            - {name: d, format: csv, path: d.csv, where: "x > 1", table: t}
            - {name: e, format: parquet, path: e, options: {k: v}}
            - {name: f, format: csv}
        tasks:
          - {name: y, type: regression, source: a, column: y}
        """);
    String m = e.getMessage();
    for (String expected :
        List.of(
            "data.sources[0].table: a table source names its table (TABLE, DATABASE.TABLE or"
                + " CATALOG.DATABASE.TABLE), was \"\"",
            "data.sources[1].table: a table source names its table",
            "data.sources[1].path: a table source reads its table, not a path; leave path out",
            "data.sources[2].reader: a spark source names the spark.read format it reads",
            "data.sources[3].where: filters the rows of a table or spark source; source d is CSV",
            "data.sources[3].table: names the table of a table source; source d is CSV",
            "data.sources[4].options: set the format and options of a spark source",
            "data.sources[5].path: must not be empty")) {
      assertTrue(m.contains(expected), expected + " in " + m);
    }
    assertEquals(8, e.problems().size(), m);
    MtlConfig tables =
        ConfigLoader.load(
            List.of(),
            List.of(
                "data.sources=[{name: tabular, format: table, table: sales.customers, where: \"dt ="
                    + " '2026-12-01'\", numeric: [age]}, {name: labels, format: spark, reader:"
                    + " jdbc, options: {url: \"jdbc:h2:mem:x\", dbtable: labels}}]"));
    assertTrue(!tables.data().readsFiles(), "tables need no data root");
    assertEquals("dt = '2026-12-01'", tables.data().sources().get(0).where());
    MtlConfig other = tables.withWhere(java.util.Map.of("tabular", "dt = '2026-12-02'"));
    assertEquals("dt = '2026-12-02'", other.data().sources().get(0).where());
    assertEquals(tables.data().sources().get(1), other.data().sources().get(1));
    IllegalArgumentException notTable =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                ConfigLoader.load(List.of(), List.of())
                    .withWhere(java.util.Map.of("tabular", "x")));
    assertTrue(notTable.getMessage().contains("no table or spark source"), notTable.getMessage());
  }

  static MtlConfig caption(String... settings) {
    return ConfigLoader.load(
        List.of(confDir().resolve("examples/multimnist-caption.yaml").toString()),
        List.of(settings));
  }

  @Test
  void aCaptionTaskWritesItsSourcesTextAndNothingElseReadsIt() {
    assertEquals(TaskConfig.TaskType.CAPTION, caption().task("description").type());
    String[][] refused = {
      {
        "tasks=[{name: d, type: caption, source: digits, column: caption}]",
        "tasks[0].column: a caption task writes its source's text: must be source digits's text"
            + " column (\"description\"), was \"caption\""
      },
      {"model.fuse=[image, text]", "model.fuse: a caption task's text is not fused"},
      {"model.fusion=attention", "model.fusion: must be concat with a caption task"},
      {"model.fuse=[]", null},
      {"prep.text.maxTokens=1", "prep.text.maxTokens: must be at least 2 with a caption task"},
      {
        "data.sources=[{name: digits, format: multimnist, path: ., text: description}]",
        "writes the text from the record's other modalities, but the fusion reads none"
      },
      {"prep.text.ngrams=2", "prep.text.ngrams: must be 1 with a caption task (task description)"},
      {"prep.text.charBuckets=64", "prep.text: charBuckets must be 0 and shapes off"},
      {"train.taskWeighting=mgda_ub", "train.taskWeighting: mgda_ub differentiates"},
      {
        "tasks=[{name: d, type: caption, source: digits, column: description},"
            + " {name: e, type: caption, source: digits, column: caption}]",
        "at most one caption task"
      },
      {
        "tasks=[{name: d, type: caption, source: digits, column: description},"
            + " {name: m, type: retrieval, between: [text, image]}]",
        "task m reads the text that caption task d writes"
      },
    };
    for (String[] r : refused) {
      if (r[1] == null) {
        assertEquals(List.of(), caption(r[0]).model().fuse(), "empty fuse: the image alone");
        continue;
      }
      ConfigException e = assertThrows(ConfigException.class, () -> caption(r[0]), r[0]);
      assertTrue(e.getMessage().contains(r[1]), r[0] + ": " + e.getMessage());
    }
  }

  @Test
  void spatialFusionNeedsAConvolutionAndBothTheTextAndTheImageInTheFusion() throws IOException {
    ConfigException e =
        fails(
            """
        model:
          fusion: spatial
          imageFilters: []
          fuse: [text]
        """);
    String m = e.getMessage();
    assertEquals(2, e.problems().size(), m);
    assertTrue(
        m.contains("model.imageFilters: must name at least one convolution with fusion: spatial"),
        m);
    assertTrue(m.contains("model.fuse: must name text and image with fusion: spatial"), m);
    // Both named: accepted.
    assertEquals(
        ModelConfig.Fusion.SPATIAL,
        ConfigLoader.load(List.of(), List.of("model.fusion=spatial", "model.fuse=[text, image]"))
            .model()
            .fusion());
  }

  @Test
  void perStepWeightingNeedsTheResidentEngineAndSaneRates() throws IOException {
    ConfigException e =
        fails(
            """
        train:
          engine: dl4j
          taskWeighting: pcgrad
          gradNormAlpha: -1
          weightLearningRate: 0
        """);
    String m = e.getMessage();
    assertTrue(
        m.contains(
            "train.taskWeighting: pcgrad acts inside each worker's step and needs train.engine:"
                + " resident"),
        m);
    assertTrue(m.contains("train.gradNormAlpha: must be >= 0, was -1.0"), m);
    assertTrue(m.contains("train.weightLearningRate: must be in (0, 10), was 0.0"), m);
    // Between-epoch methods run with either engine; the closed form has its own name.
    assertEquals(
        TrainConfig.Weighting.INVERSE_LOSS,
        ConfigLoader.load(
                List.of(), List.of("train.engine=dl4j", "train.taskWeighting=inverse_loss"))
            .train()
            .taskWeighting());
  }

  @Test
  void aTokenTaskNeedsTextCutAtWhitespaceOnePositionPerTokenAndHardSharing() throws IOException {
    String tokens =
        """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s, text: text}
        tasks:
          - {name: tags, type: tokens, source: s, column: tags}
        """;
    ConfigException e =
        fails(
            tokens
                + """
        prep:
          text: {ngrams: 2, charBuckets: 100}
        model: {sharing: mmoe, experts: 2}
        train: {taskWeighting: mgda_ub}
        """);
    for (String expected :
        List.of(
            "prep.text.split: must be whitespace with a tokens task (task tags)",
            "prep.text.ngrams: must be 1 with a tokens task",
            "prep.text.charBuckets: must be 0 with a tokens task",
            "model.sharing: must be hard with a tokens task",
            "mgda_ub differentiates dense task layers")) {
      assertTrue(e.getMessage().contains(expected), expected + " in " + e.getMessage());
    }
    ConfigException noText =
        fails(
            """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s}
        tasks:
          - {name: tags, type: tokens, source: s, column: tags}
        prep:
          text: {split: whitespace}
        """);
    assertTrue(
        noText
            .getMessage()
            .contains("a tokens task tags the tokens of a text, but no source has one"),
        noText.getMessage());
    ConfigException shapes = fails(tokens + "prep:\n  text: {split: whitespace, shapes: true}\n");
    assertTrue(
        shapes.getMessage().contains("prep.text.shapes: needs lowercase: false"),
        shapes.getMessage());
    MtlConfig ok =
        ConfigLoader.fromYaml(tokens + "prep:\n  text: {split: whitespace}\n", "ok.yaml");
    assertEquals(TaskConfig.TaskType.TOKENS, ok.tasks().get(0).type());
  }

  @Test
  void aRetrievalTaskPairsTwoModalitiesTheSourcesHaveWithoutALabelColumn() throws IOException {
    String sources =
        """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s, text: text, image: picture, numeric: [x]}
        tasks:
          - {name: y, type: binary, source: s, column: y}
        """;
    MtlConfig ok =
        ConfigLoader.fromYaml(sources + "  - {name: match, type: retrieval}\n", "ok.yaml");
    TaskConfig match = ok.tasks().get(1);
    assertTrue(match.retrieval());
    assertEquals(List.of("text", "image"), match.between(), "text and image unless told");
    assertEquals(32, ok.model().retrievalDim());
    ConfigException e =
        fails(
            sources
                + """
          - {name: match, type: retrieval, source: s, column: y, between: [text, text]}
          - {name: other, type: retrieval, between: [ids, text]}
          - {name: other_text, type: binary, source: s, column: z}
        model: {sharing: soft, retrievalTemperature: 0}
        train: {taskWeighting: mgda_ub}
        """);
    for (String expected :
        List.of(
            "tasks[1].column: a retrieval task has no label column",
            "tasks[1].between: must be two different modalities of [tabular, text, image, ids]",
            "tasks[2].between: no source provides the modality ids that retrieval task other pairs",
            "model.sharing: must be hard with a retrieval task (task match)",
            "model.retrievalTemperature: must be > 0, was 0.0",
            "mgda_ub differentiates dense task layers above the shared representation; retrieval",
            "score writes retrieval task other's text embeddings as column other_text, which is"
                + " also a task or key column")) {
      assertTrue(e.getMessage().contains(expected), expected + " in " + e.getMessage());
    }
  }

  @Test
  void aMultimnistSourceReadsItsCaptionOrItsQuestionAsTextAndNoOtherCell() throws IOException {
    String yaml =
        """
        data:
          key: [part, index]
          sources:
            - {name: d, format: multimnist, path: ., image: image, text: %s}
        tasks:
          - {name: answer, type: multiclass, source: d, column: answer}
        """;
    assertEquals(
        "question",
        ConfigLoader.fromYaml(yaml.formatted("question"), "q.yaml").data().sources().get(0).text());
    assertEquals(
        "caption",
        ConfigLoader.fromYaml(yaml.formatted("caption"), "c.yaml").data().sources().get(0).text());
    ConfigException e = fails(yaml.formatted("left"));
    assertTrue(
        e.getMessage().contains("text empty, caption, description or question"), e.getMessage());
  }

  @Test
  void aLabelPatternTakesItsFirstGroupAndABadOneIsRefused() throws IOException {
    String yaml =
        """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s, numeric: [x]}
        tasks:
          - {name: genre, type: multiclass, source: s, column: id, pattern: "%s"}
        """;
    TaskConfig grouped =
        ConfigLoader.fromYaml(yaml.formatted("^([a-z]+)-"), "p.yaml").tasks().get(0);
    assertEquals("weblog", grouped.extract("weblog-0042"));
    assertNull(grouped.extract("0042"));
    TaskConfig whole = ConfigLoader.fromYaml(yaml.formatted("[0-9]+"), "p.yaml").tasks().get(0);
    assertEquals("0042", whole.extract("weblog-0042"));
    TaskConfig optional =
        ConfigLoader.fromYaml(yaml.formatted("(?:([a-z]+)-)?[0-9]+"), "p.yaml").tasks().get(0);
    assertEquals("0042", optional.extract("0042"), "a group that takes no part: the whole match");
    ConfigException e = fails(yaml.formatted("(unclosed"));
    assertTrue(
        e.getMessage().contains("tasks[0].pattern: not a regular expression"), e.getMessage());
  }

  @Test
  void mgdaUpperBoundNeedsHardSharing() throws IOException {
    ConfigException e =
        fails(
            """
        model:
          sharing: mmoe
          experts: 3
        train:
          taskWeighting: mgda_ub
        """);
    assertTrue(
        e.getMessage()
            .contains(
                "train.taskWeighting: mgda_ub needs model.sharing: hard (one representation every"
                    + " task reads); was mmoe"),
        e.getMessage());
    assertEquals(
        TrainConfig.Weighting.MGDA_UB,
        ConfigLoader.load(List.of(), List.of("train.taskWeighting=mgda_ub"))
            .train()
            .taskWeighting());
  }

  @Test
  void schedulesSelectionAndWordPairsAreChecked() throws IOException {
    ConfigException e =
        fails(
            """
        train:
          engine: dl4j
          epochs: 3
          selectionTolerance: -0.1
          schedule: {kind: cosine, warmupEpochs: 3, stepFactor: 1.5}
        prep:
          text: {ngrams: 3}
        """);
    String m = e.getMessage();
    assertTrue(
        m.contains("train.schedule: a learning-rate schedule needs train.engine: resident"), m);
    assertTrue(m.contains("train.schedule.warmupEpochs: must be less than train.epochs (3)"), m);
    assertTrue(m.contains("train.schedule.stepFactor: must be in (0, 1], was 1.5"), m);
    assertTrue(m.contains("train.selectionTolerance: must be in [0, 1), was -0.1"), m);
    assertTrue(
        m.contains("prep.text.ngrams: must be 1 (words) or 2 (words and word pairs), was 3"), m);
    MtlConfig cosine =
        ConfigLoader.load(
            List.of(), List.of("train.schedule.kind=cosine", "train.schedule.warmupEpochs=0.5"));
    assertEquals(TrainConfig.ScheduleKind.COSINE, cosine.train().schedule().kind());
    assertEquals(0.5, cosine.train().schedule().warmupEpochs());
  }

  @Test
  void wrongTypesAndInvalidValuesNameThePathAndTheValue() throws IOException {
    ConfigException e =
        fails(
            """
        train:
          epochs: five
          workers: 0
        tasks:
          - {name: a, type: regression, source: labels, column: a, weight: -0.5}
          - {name: b, type: ranking, source: labels, column: b, weight: 1}
        """);
    String m = e.getMessage();
    assertTrue(m.contains("train.epochs: expected an integer, got \"five\""), m);
    assertTrue(m.contains("train.workers: must be auto or a whole number >= 1, was 0"), m);
    assertTrue(m.contains("tasks[0].weight: must be > 0, was -0.5"), m);
    assertTrue(
        m.contains(
            "tasks[1].type: expected one of [regression, multiclass, binary, multilabel, ordinal, tokens,"
                + " retrieval, caption], got"
                + " \"ranking\""),
        m);
    assertEquals(4, e.problems().size(), "all problems of a file at once: " + m);
  }

  @Test
  void trainWorkersAreAutoByDefaultOrAWholeNumber() throws IOException {
    TrainConfig auto = ConfigLoader.load(List.of(), List.of()).train();
    assertEquals("auto", auto.workers());
    assertTrue(auto.autoWorkers());
    assertEquals(0, auto.fixedWorkers());
    TrainConfig four = ConfigLoader.load(List.of(), List.of("train.workers=4")).train();
    assertFalse(four.autoWorkers());
    assertEquals(4, four.fixedWorkers());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(List.of(), List.of("train.workers=-1", "prep.batchSize=0")));
    assertTrue(
        e.getMessage().contains("train.workers: must be auto or a whole number >= 1, was -1"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("prep.batchSize"),
        "reported with the other problems: " + e.getMessage());
    ConfigException many =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(List.of(), List.of("train.workers=many")));
    assertTrue(
        many.getMessage().contains("train.workers: must be auto or a whole number >= 1, was many"),
        many.getMessage());
  }

  @Test
  void theNetworksShapeIsCheckedBeforeAnythingRuns() {
    ModelConfig paper =
        ConfigLoader.load(
                List.of(),
                List.of(
                    "model.trunk=[]",
                    "model.taskHidden=[50]",
                    "model.imageKernel=5",
                    "model.imagePadding=valid",
                    "model.imageFilters=[10, 20]",
                    "prep.image.width=28",
                    "prep.image.height=28"))
            .model();
    assertEquals(List.of(), paper.trunk());
    assertEquals(ModelConfig.ImagePadding.VALID, paper.imagePadding());
    assertEquals(
        1,
        ConfigLoader.load(List.of(), List.of("model.sharing=ple", "model.experts=1"))
            .model()
            .experts(),
        "one shared expert beside each task's own is a PLE level");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(),
                    List.of(
                        "model.sharing=ple",
                        "model.trunk=[]",
                        "model.taskExperts=0",
                        "model.imageKernel=5",
                        "model.imagePadding=valid",
                        "model.imageFilters=[10, 20]",
                        "prep.image.width=12",
                        "prep.image.height=12")));
    assertTrue(
        e.getMessage().contains("model.trunk: needs at least one layer with sharing ple"),
        e.getMessage());
    assertTrue(e.getMessage().contains("model.taskExperts: must be >= 1, was 0"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "model.imageFilters: convolution 2 (5x5, padding valid) and its 2x2 pooling leave no pixel of the 12x12 image"),
        e.getMessage());
    ConfigException mmoe =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(List.of(), List.of("model.sharing=mmoe", "model.experts=1")));
    assertTrue(
        mmoe.getMessage().contains("model.experts: must be >= 2 with sharing mmoe"),
        mmoe.getMessage());
  }

  /** The message of loading {@code settings}, which must be refused. */
  static String refusal(String... settings) {
    return assertThrows(
            ConfigException.class, () -> ConfigLoader.load(List.of(), List.of(settings)))
        .getMessage();
  }

  @Test
  void anImportedImageEncoderNeedsOneSourceALayerAndAModelThatReadsOnlyItsOutput() {
    MtlConfig plain = ConfigLoader.load(List.of(), List.of());
    assertFalse(plain.train().pretrained().image().given());
    MtlConfig set =
        ConfigLoader.load(
            List.of(),
            List.of(
                "train.pretrained.image.zoo=SqueezeNet",
                "train.pretrained.image.weights=/models/squeezenet.zip",
                "train.pretrained.image.layer=pool10",
                "prep.image.channels=3",
                "train.pretrained.image.normalise=caffe"));
    TrainConfig.ImageEncoder image = set.train().pretrained().image();
    assertEquals("squeezenet", image.zoo());
    assertEquals("pool10", image.frozenLayer(), "frozen up to the cut by default");
    assertEquals("squeezenet (weights /models/squeezenet.zip)", image.source());

    String both =
        refusal(
            "train.pretrained.image.keras=a.h5",
            "train.pretrained.image.zoo=vgg16",
            "train.pretrained.image.layer=x");
    assertTrue(
        both.contains("train.pretrained.image.keras: give a Keras file or a zoo architecture, not"),
        both);
    assertTrue(both.contains("train.pretrained.image.weights: the zoo architecture vgg16 needs"));
    String unknown =
        refusal("train.pretrained.image.zoo=inception", "train.pretrained.image.weights=w.zip");
    assertTrue(unknown.contains("train.pretrained.image.zoo: \"inception\" is none of"), unknown);
    assertTrue(
        unknown.contains("train.pretrained.image.layer: name the layer whose output is the image"),
        unknown);
    String stray = refusal("train.pretrained.image.weights=w.zip");
    assertTrue(
        stray.contains("train.pretrained.image.weights: weights are for a zoo architecture"),
        stray);
    String grey =
        refusal(
            "train.pretrained.image.keras=a.h5",
            "train.pretrained.image.layer=x",
            "train.pretrained.image.normalise=torch");
    assertTrue(
        grey.contains(
            "train.pretrained.image.normalise: torch normalises red, green and blue: set"
                + " prep.image.channels: 3"),
        grey);
    String twice =
        refusal(
            "train.pretrained.image.keras=a.h5",
            "train.pretrained.image.layer=x",
            "train.pretrained.from=runs/a",
            "train.pretrained.parts=[image]");
    assertTrue(
        twice.contains(
            "takes the image encoder from runs/a, and image imports one from a.h5: start it from"
                + " one of them"),
        twice);
    String cells =
        refusal(
            "train.pretrained.image.keras=a.h5",
            "train.pretrained.image.layer=x",
            "model.taskAttentionHeads=1");
    assertTrue(
        cells.contains(
            "model.taskAttentionHeads: each task's attention reads the cells of the configured"
                + " convolutions"),
        cells);
    String mode =
        refusal(
            "train.pretrained.image.keras=a.h5",
            "train.pretrained.image.layer=x",
            "train.pretrained.image.normalise=zca");
    assertTrue(mode.contains("train.pretrained.image.normalise: \"zca\" is none of"), mode);
  }

  @Test
  void encodersFromAnotherModelNeedBothFromAndPartsAndAModalityThatIsThere() throws IOException {
    MtlConfig plain = ConfigLoader.load(List.of(), List.of());
    assertTrue(!plain.train().pretrained().hasSource());
    assertEquals(List.of(), plain.train().pretrained().parts());
    MtlConfig set =
        ConfigLoader.load(
            List.of(),
            List.of("train.pretrained.from=runs/fashion ", "train.pretrained.parts=[image, text]"));
    assertEquals("runs/fashion", set.train().pretrained().from());
    assertEquals(List.of("image", "text"), set.train().pretrained().parts());
    String noParts =
        assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(List.of(), List.of("train.pretrained.from=runs/fashion")))
            .getMessage();
    assertTrue(
        noParts.contains(
            "train.pretrained.parts: name the encoders to take from runs/fashion: any of [image,"
                + " text, tabular]"),
        noParts);
    String noFrom =
        assertThrows(
                ConfigException.class,
                () -> ConfigLoader.load(List.of(), List.of("train.pretrained.parts=[image]")))
            .getMessage();
    assertTrue(
        noFrom.contains("train.pretrained.from: parts [image] need the model to take them from"),
        noFrom);
    String wrong =
        assertThrows(
                ConfigException.class,
                () ->
                    ConfigLoader.load(
                        List.of(),
                        List.of(
                            "train.pretrained.from=r",
                            "train.pretrained.parts=[audio, image, image]",
                            "prep.text.vectors=v.txt")))
            .getMessage();
    assertTrue(wrong.contains("train.pretrained.parts: \"audio\" is none of"), wrong);
    assertTrue(wrong.contains("train.pretrained.parts: names an encoder twice"), wrong);
    String both =
        assertThrows(
                ConfigException.class,
                () ->
                    ConfigLoader.load(
                        List.of(),
                        List.of(
                            "train.pretrained.from=r",
                            "train.pretrained.parts=[text]",
                            "prep.text.vectors=v.txt")))
            .getMessage();
    assertTrue(
        both.contains("the text embedding starts from prep.text.vectors or from another model"),
        both);
    ConfigException noImage =
        fails(
            """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s, numeric: [x]}
        tasks:
          - {name: y, type: regression, source: s, column: y}
        train:
          pretrained: {from: runs/fashion, parts: [image]}
        """);
    assertTrue(
        noImage
            .getMessage()
            .contains(
                "train.pretrained.parts: takes the image encoder, but no source gives an image"),
        noImage.getMessage());
  }

  @Test
  void wordVectorsNeedATextAndTheirScheduleSaneValues() throws IOException {
    MtlConfig plain = ConfigLoader.load(List.of(), List.of());
    assertTrue(!plain.prep().text().hasVectors());
    assertEquals(PrepConfig.VectorsFormat.AUTO, plain.prep().text().vectorsFormat());
    assertEquals(0, plain.train().pretrained().frozenEpochs());
    assertEquals(1.0, plain.train().pretrained().rateFactor());
    MtlConfig set =
        ConfigLoader.load(
            List.of(),
            List.of(
                "prep.text.vectors=hdfs:///vectors/w2v.bin",
                "prep.text.vectorsFormat=binary",
                "train.pretrained.frozenEpochs=2",
                "train.pretrained.rateFactor=0.1"));
    assertEquals("hdfs:///vectors/w2v.bin", set.prep().text().vectors());
    assertEquals(PrepConfig.VectorsFormat.BINARY, set.prep().text().vectorsFormat());
    assertEquals(2, set.train().pretrained().frozenEpochs());
    assertTrue(plain.train().pretrained().autoScale(), "auto by default");
    assertEquals(
        0.05,
        ConfigLoader.load(List.of(), List.of("train.pretrained.scale=0.05"))
            .train()
            .pretrained()
            .fixedScale());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(),
                    List.of(
                        "train.pretrained.frozenEpochs=-1",
                        "train.pretrained.rateFactor=0",
                        "train.pretrained.scale=-2")));
    assertTrue(
        e.getMessage().contains("train.pretrained.scale: must be auto or a number above 0, was -2"),
        e.getMessage());
    ConfigException dl4j =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(), List.of("train.engine=dl4j", "train.pretrained.frozenEpochs=1")));
    assertTrue(
        dl4j.getMessage().contains("train.pretrained.frozenEpochs: needs train.engine: resident"),
        dl4j.getMessage());
    ConfigException mgda =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(),
                    List.of("train.taskWeighting=mgda_ub", "model.taskAttentionHeads=2")));
    assertTrue(
        mgda.getMessage().contains("each task's attention (model.taskAttentionHeads) is not one"),
        mgda.getMessage());
    assertTrue(
        e.getMessage().contains("train.pretrained.frozenEpochs: must be >= 0, was -1"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("train.pretrained.rateFactor: must be in (0, 1], was 0.0"),
        e.getMessage());
    ConfigException noText =
        fails(
            """
        data:
          key: [id]
          sources:
            - {name: s, format: csv, path: s, numeric: [x]}
        tasks:
          - {name: y, type: regression, source: s, column: y}
        prep:
          text: {vectors: glove.txt}
        """);
    assertTrue(
        noText
            .getMessage()
            .contains("prep.text.vectors: word vectors are for a text, but no source has one"),
        noText.getMessage());
  }

  @Test
  void taskAttentionNeedsHeadsThatDivideTheFusionWidthAConvolutionAndATrunk() {
    assertEquals(0, ConfigLoader.load(List.of(), List.of()).model().taskAttentionHeads(), "off");
    assertEquals(
        4,
        ConfigLoader.load(List.of(), List.of("model.taskAttentionHeads=4", "model.fusionDim=32"))
            .model()
            .taskAttentionHeads());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(), List.of("model.taskAttentionHeads=3", "model.fusionDim=32")));
    assertTrue(
        e.getMessage()
            .contains(
                "model.taskAttentionHeads: must be 0 (no attention) or a divisor of fusionDim (32), was 3"),
        e.getMessage());
    ConfigException bare =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(),
                    List.of(
                        "model.taskAttentionHeads=2", "model.imageFilters=[]", "model.trunk=[]")));
    assertTrue(
        bare.getMessage()
            .contains(
                "model.taskAttentionHeads: each task attends over the last convolution's cells"),
        bare.getMessage());
    assertTrue(
        bare.getMessage().contains("queried by the trunk's last layer: needs a trunk layer"),
        bare.getMessage());
  }

  @Test
  void workerThreadsAndBatchMemoryAreAutoByDefaultOrAWholeNumber() throws IOException {
    TrainConfig auto = ConfigLoader.load(List.of(), List.of()).train();
    assertEquals(0, auto.fixedNativeThreads());
    assertEquals(-1, auto.batchMemoryBytes());
    TrainConfig set =
        ConfigLoader.load(List.of(), List.of("train.nativeThreads=2", "train.batchMemory=300"))
            .train();
    assertEquals(2, set.fixedNativeThreads());
    assertEquals(300L << 20, set.batchMemoryBytes());
    assertEquals(
        0, ConfigLoader.load(List.of(), List.of("train.batchMemory=0")).train().batchMemoryBytes());
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigLoader.load(
                    List.of(), List.of("train.nativeThreads=0", "train.batchMemory=lots")));
    assertTrue(
        e.getMessage().contains("train.nativeThreads: must be auto or a whole number >= 1, was 0"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "train.batchMemory: must be auto or a whole number of megabytes >= 0, was lots"),
        e.getMessage());
  }

  @Test
  void prepPartitionsAreAutoOrAWholeNumber() throws IOException {
    PrepConfig auto = ConfigLoader.load(List.of(), List.of()).prep();
    assertEquals("auto", auto.partitions());
    long mb = 1L << 20;
    assertEquals(4, auto.partitionsFor(10 * mb), "small data: four partitions");
    assertEquals(4, auto.partitionsFor(0));
    assertEquals(4, auto.partitionsFor(128 * mb));
    assertEquals(8, auto.partitionsFor(134 * mb), "four more per 128 MB begun");
    assertEquals(44, auto.partitionsFor(1344 * mb));
    assertEquals(
        4, ConfigLoader.load(List.of(), List.of("prep.partitions=AUTO")).prep().partitionsFor(mb));
    PrepConfig fixed = ConfigLoader.load(List.of(), List.of("prep.partitions=7")).prep();
    assertEquals(7, fixed.partitionsFor(1200 * mb), "a number is taken as it is");

    String m =
        fails(
                """
        prep:
          partitions: lots
        """)
            .getMessage();
    assertTrue(m.contains("prep.partitions: must be auto or a whole number >= 1, was lots"), m);
    assertTrue(
        fails("prep: {partitions: 0}").getMessage().contains("prep.partitions: must be auto"));
  }

  @Test
  void crossFieldProblemsAreFound() throws IOException {
    ConfigException e =
        fails(
            """
        prep:
          split: {train: 0.8, validation: 0.3}
        tasks:
          - {name: a, type: regression, source: labels, column: a}
          - {name: a, type: binary, source: labels, column: b}
        """);
    assertTrue(
        e.getMessage().contains("prep.split: train + validation must leave a test share"),
        e.getMessage());
    assertTrue(e.getMessage().contains("tasks[1].name: duplicate task name \"a\""), e.getMessage());
  }

  @Test
  void sourcesAndTheirTasksAreCheckedTogether() throws IOException {
    ConfigException e =
        fails(
            """
        data:
          key: [userId, movieId]
          sources:
            - {name: ratings, format: csv, path: r, numeric: [rating], duplicates: latest}
            - {name: movies, format: csv, path: m, key: [movieId, year], text: title}
            - {name: reviews, format: json, path: v, text: body}
            - {name: posters, format: images, path: p, numeric: [w]}
        tasks:
          - {name: rating, type: regression, source: ratings, column: rating}
          - {name: genres, type: multilabel, source: films, column: genres}
        """);
    String m = e.getMessage();
    assertTrue(
        m.contains("data.sources[0].timestamp: duplicates: latest needs a timestamp column"), m);
    assertTrue(
        m.contains("data.sources[1].key: must be data.key [userId, movieId] or a part of it"), m);
    assertTrue(m.contains("data.sources: at most one source may have a text column, found 2"), m);
    assertTrue(m.contains("data.sources[3]: an images source holds only images"), m);
    assertTrue(
        m.contains("tasks[0].column: column \"rating\" is also a feature of source \"ratings\""),
        m);
    assertTrue(
        m.contains(
            "tasks[1].source: no source named \"films\" (sources: ratings, movies, reviews, posters)"),
        m);
    assertEquals(6, e.problems().size(), m);
  }

  @Test
  void identifierColumnsAreOneKindOfColumnAndTheirSettingsAreChecked() throws IOException {
    ConfigException e =
        fails(
            """
        data:
          key: [userId, movieId]
          sources:
            - {name: ratings, format: csv, path: r, hashed: [userId], ids: [userId, movieId, rating]}
            - {name: posters, format: images, path: p, ids: [movieId]}
        tasks:
          - {name: rating, type: regression, source: ratings, column: rating}
        prep:
          ids: {minCount: 0, maxVocabulary: 0}
        model:
          idEmbedding: 0
        """);
    String m = e.getMessage();
    assertTrue(
        m.contains("data.sources[0].ids: column \"userId\" is listed twice among its features"), m);
    assertTrue(m.contains("data.sources[1]: an images source holds only images"), m);
    assertTrue(
        m.contains("tasks[0].column: column \"rating\" is also a feature of source \"ratings\""),
        m);
    assertTrue(m.contains("prep.ids.minCount: must be >= 1, was 0"), m);
    assertTrue(m.contains("prep.ids.maxVocabulary: must be in [1, 16777216], was 0"), m);
    assertTrue(m.contains("model.idEmbedding: must be >= 1, was 0"), m);
    assertEquals(6, e.problems().size(), m);
    MtlConfig ok =
        ConfigLoader.fromYaml(
            """
        data:
          key: [userId, movieId]
          sources:
            - {name: ratings, format: csv, path: r, ids: [userId, movieId]}
        tasks:
          - {name: rating, type: regression, source: ratings, column: rating}
        """,
            "ok.yaml");
    assertEquals(List.of("userId", "movieId"), ok.data().sources().get(0).ids());
    assertEquals(2, ok.prep().ids().minCount());
    assertEquals(100000, ok.prep().ids().maxVocabulary());
    assertEquals(16, ok.model().idEmbedding());
  }

  @Test
  void sourceItemsTakeTheirDefaults() {
    MtlConfig c =
        ConfigLoader.fromYaml(
            """
        data:
          sources:
            - {name: only, format: parquet, path: x, numeric: [a]}
        tasks:
          - {name: t, type: binary, source: only, column: y}
        """,
            "test.yaml");
    SourceConfig s = c.data().source("only");
    assertEquals(List.of(), s.key());
    assertEquals(SourceConfig.Duplicates.FIRST, s.duplicates());
    assertEquals(SourceConfig.Missing.ZERO, s.missing());
    assertEquals(1.0, c.tasks().get(0).weight());
  }

  @Test
  void experimentFilesOverrideOnlyWhatTheyName() throws IOException {
    Path p = write("exp.yaml", "train:\n  epochs: 2\nmodel:\n  trunk: [16]\n");
    MtlConfig c = ConfigLoader.load(List.of(p.toString()), List.of("train.learningRate=0.01"));
    MtlConfig d = ConfigLoader.load(List.of(), List.of());
    assertEquals(2, c.train().epochs());
    assertEquals(0.01, c.train().learningRate());
    assertEquals(List.of(16), c.model().trunk());
    assertEquals(d.train().workers(), c.train().workers());
    assertEquals(d.model().textEmbedding(), c.model().textEmbedding());
  }

  @Test
  void badYamlAndMissingFilesAreNamed() throws IOException {
    ConfigException e = fails("train: [unclosed\n");
    assertTrue(
        e.getMessage().contains("bad.yaml") && e.getMessage().contains("not valid YAML"),
        e.getMessage());
    ConfigException missing =
        assertThrows(
            ConfigException.class,
            () -> ConfigLoader.load(List.of(dir.resolve("nope.yaml").toString()), List.of()));
    assertTrue(
        missing.getMessage().contains("nope.yaml")
            && missing.getMessage().contains("file not found"));
    ConfigException override =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(List.of(), List.of("trian.epochs=3")));
    assertTrue(override.getMessage().contains("trian: unknown key"), override.getMessage());
  }

  @Test
  void theResolvedConfigurationReadsBackEqual() throws IOException {
    MtlConfig c = ConfigLoader.load(List.of(), List.of("train.epochs=9", "model.trunk=[8, 4]"));
    Path p = write("resolved.yaml", ConfigWriter.toYaml(c));
    assertEquals(c, ConfigLoader.load(List.of(p.toString()), List.of()));
  }

  @Test
  void everyKeyOfEveryConfigurationRecordIsDocumentedInDefaultsYaml() throws IOException {
    List<String> lines = Files.readAllLines(confDir().resolve("defaults.yaml"));
    List<String> missing = new ArrayList<>();
    undocumented(MtlConfig.class, ConfigLoader.defaultsTree(), "", lines, missing);
    assertEquals(
        List.of(),
        missing,
        "keys of the configuration records that conf/defaults.yaml does not list");
  }

  @Test
  void aMisspeltSectionOfAnOverrideIsNamedWithTheClosestSection() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ConfigLoader.load(List.of(), List.of("trian.epochs=3")));
    assertTrue(
        e.getMessage().contains("trian: unknown key, did you mean 'train'?"), e.getMessage());
  }

  /**
   * Adds to {@code missing} every component of {@code type} that is not a key of {@code tree}
   * (mappings) or, for the items of a list ({@code tree} null), that the comment block above the
   * list in {@code lines} does not document on a line of its own ({@code #   name: ...}).
   */
  @SuppressWarnings("unchecked")
  private static void undocumented(
      Class<?> type,
      Map<String, Object> tree,
      String path,
      List<String> lines,
      List<String> missing) {
    List<String> comments =
        tree == null
            ? commentsAbove(lines, path.substring(path.lastIndexOf('.') + 1, path.length() - 2))
            : List.of();
    for (RecordComponent c : type.getRecordComponents()) {
      String at = path.isEmpty() ? c.getName() : path + "." + c.getName();
      boolean listed =
          tree != null
              ? tree.containsKey(c.getName())
              : comments.stream().anyMatch(l -> l.matches("\\s*#\\s+" + c.getName() + ":.*"));
      if (!listed) {
        missing.add(at);
        continue;
      }
      if (c.getType().isRecord()) {
        undocumented(
            c.getType(),
            tree == null ? null : (Map<String, Object>) tree.get(c.getName()),
            at,
            lines,
            missing);
      }
      if (c.getGenericType() instanceof ParameterizedType pt
          && pt.getRawType() == List.class
          && pt.getActualTypeArguments()[0] instanceof Class<?> item
          && item.isRecord()) {
        undocumented(item, null, at + "[]", lines, missing);
      }
    }
  }

  /** The comment lines right above the first line that opens the key {@code key}. */
  private static List<String> commentsAbove(List<String> lines, String key) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).matches("\\s*" + key + ":.*")) {
        int from = i;
        while (from > 0 && lines.get(from - 1).trim().startsWith("#")) {
          from--;
        }
        return lines.subList(from, i);
      }
    }
    return List.of();
  }
}
