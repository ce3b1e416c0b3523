package org.mtlspark.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The whole configuration of a run; {@code conf/defaults.yaml} documents every key. */
public record MtlConfig(
    RunConfig run,
    DataConfig data,
    PrepConfig prep,
    ModelConfig model,
    List<TaskConfig> tasks,
    TrainConfig train,
    GenerateConfig generate)
    implements Validatable {

  /** This configuration with other tasks (e.g. one task alone). */
  public MtlConfig withTasks(List<TaskConfig> other) {
    return new MtlConfig(run, data, prep, model, other, train, generate);
  }

  /** This configuration with another model section. */
  public MtlConfig withModel(ModelConfig other) {
    return new MtlConfig(run, data, prep, other, tasks, train, generate);
  }

  /** This configuration with another training section. */
  public MtlConfig withTrain(TrainConfig other) {
    return new MtlConfig(run, data, prep, model, tasks, other, generate);
  }

  /**
   * This configuration with other conditions on its table and spark sources' rows, by source name
   * (e.g. the new partition to score); a name that is no such source is refused, naming those there
   * are.
   */
  public MtlConfig withWhere(java.util.Map<String, String> where) {
    List<String> bySpark =
        data.sources().stream().filter(s -> s.format().bySpark()).map(SourceConfig::name).toList();
    for (String name : where.keySet()) {
      if (!bySpark.contains(name)) {
        throw new IllegalArgumentException(
            "a condition for source "
                + name
                + ", which is no table or spark source of this configuration (those: "
                + bySpark
                + ")");
      }
    }
    List<SourceConfig> sources =
        data.sources().stream()
            .map(s -> where.containsKey(s.name()) ? s.withWhere(where.get(s.name())) : s)
            .toList();
    return new MtlConfig(
        run,
        new DataConfig(data.root(), data.key(), data.nullToken(), sources),
        prep,
        model,
        tasks,
        train,
        generate);
  }

  /** This configuration with another run section (name, seed). */
  public MtlConfig withRun(RunConfig other) {
    return new MtlConfig(other, data, prep, model, tasks, train, generate);
  }

  /**
   * What stops a configuration built in code (a variant of a loaded one, e.g. with another task
   * weighting) from being used: the checks loading runs across sections, and those of the model
   * and training sections it changes. Empty when nothing does.
   */
  public List<String> problems() {
    Problems problems = new Problems();
    validate("", problems);
    model.validate("model", problems);
    train.validate("train", problems);
    return problems.messages();
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(!tasks.isEmpty(), "tasks", "at least one task is required");
    checkObjective(problems);
    Set<String> names = new HashSet<>();
    Set<String> columns = new HashSet<>();
    for (int i = 0; i < tasks.size(); i++) {
      TaskConfig t = tasks.get(i);
      problems.require(
          names.add(t.name()), "tasks[" + i + "].name", "duplicate task name \"" + t.name() + "\"");
      if (t.retrieval()) {
        continue; // no label column; checkRetrievalTasks
      }
      problems.require(
          columns.add(t.source() + "." + t.column()),
          "tasks[" + i + "].column",
          "column \""
              + t.column()
              + "\" of source \""
              + t.source()
              + "\" is already the label of another task");
      if (!data.hasSource(t.source())) {
        problems.add(
            "tasks[" + i + "].source",
            "no source named \""
                + t.source()
                + "\" (sources: "
                + String.join(", ", data.sources().stream().map(SourceConfig::name).toList())
                + ")");
      } else {
        SourceConfig s = data.source(t.source());
        problems.require(
            !s.featureColumns().contains(t.column())
                && !s.ids().contains(t.column())
                && (t.caption() || !t.column().equals(s.text())),
            "tasks[" + i + "].column",
            "column \""
                + t.column()
                + "\" is also a feature of source \""
                + s.name()
                + "\": a label cannot be an input");
        problems.require(
            s.format() != SourceConfig.Format.IMAGES,
            "tasks[" + i + "].source",
            "an images source holds no label columns");
      }
    }
    TrainConfig.ImageEncoder imported = train.pretrained().image();
    if (imported.given()) {
      checkImportedImageEncoder(imported, problems);
    } else if (data.sources().stream().anyMatch(SourceConfig::hasImage)) {
      checkImageEncoder(problems);
    }
    checkTokenTasks(problems);
    problems.require(
        !prep.text().hasVectors() || provides("text"),
        "prep.text.vectors",
        "word vectors are for a text, but no source has one (data.sources[].text)");
    for (String part : train.pretrained().parts()) {
      problems.require(
          provides(part),
          "train.pretrained.parts",
          "takes the "
              + part
              + " encoder, but no source gives "
              + (part.equals("image") ? "an " : "a ")
              + part);
    }
    problems.require(
        !prep.text().hasVectors() || !train.pretrained().parts().contains("text"),
        "train.pretrained.parts",
        "the text embedding starts from prep.text.vectors or from another model's text encoder,"
            + " not both");
    checkRetrievalTasks(problems);
    checkCaptionTasks(problems);
    if (!prep.split().by().isEmpty()) {
      problems.require(
          data.key().contains(prep.split().by()),
          "prep.split.by",
          "must be one of the key columns " + data.key() + ", was \"" + prep.split().by() + "\"");
    }
  }

  /**
   * A retrieval task pairs two modalities that the sources provide, each read from its encoder
   * below the shared trunk, so it is built with hard sharing only.
   */
  private void checkRetrievalTasks(Problems problems) {
    for (int i = 0; i < tasks.size(); i++) {
      TaskConfig t = tasks.get(i);
      if (!t.retrieval()) {
        continue;
      }
      for (String side : t.between()) {
        problems.require(
            !TaskConfig.RETRIEVABLE.contains(side) || provides(side),
            "tasks[" + i + "].between",
            "no source provides the modality "
                + side
                + " that retrieval task "
                + t.name()
                + " pairs");
      }
      for (String side : t.between()) {
        String column = t.name() + "_" + side;
        problems.require(
            tasks.stream().noneMatch(o -> o.name().equals(column)) && !data.key().contains(column),
            "tasks[" + i + "].name",
            "score writes retrieval task "
                + t.name()
                + "'s "
                + side
                + " embeddings as column "
                + column
                + ", which is also a task or key column: rename one");
      }
      problems.require(
          model.sharing() == ModelConfig.Sharing.HARD,
          "model.sharing",
          "must be hard with a retrieval task (task "
              + t.name()
              + "): it reads the modality encoders below the trunk, not a tower or an expert");
      problems.require(
          train.taskWeighting() != TrainConfig.Weighting.MGDA_UB,
          "train.taskWeighting",
          "mgda_ub differentiates dense task layers above the shared representation; retrieval"
              + " task "
              + t.name()
              + " reads the modality encoders (use mgda, or another weighting)");
    }
  }

  /** Whether some source provides {@code modality} (tabular, text, image or ids). */
  private boolean provides(String modality) {
    return data.sources().stream()
        .anyMatch(
            s ->
                switch (modality) {
                  case "text" -> !s.text().isEmpty();
                  case "image" -> s.hasImage();
                  case "tabular" -> !s.featureColumns().isEmpty();
                  default -> !s.ids().isEmpty();
                });
  }

  /**
   * A token task tags the tokens of the records' text one by one: there must be a text, cut at
   * whitespace (so that the tags of an already tokenized text line up with its tokens), with one
   * position per token (no word pairs, no character trigrams).
   */
  private void checkTokenTasks(Problems problems) {
    for (int i = 0; i < tasks.size(); i++) {
      TaskConfig t = tasks.get(i);
      if (t.type() != TaskConfig.TaskType.TOKENS) {
        continue;
      }
      String at = "tasks[" + i + "].type";
      problems.require(
          data.sources().stream().anyMatch(s -> !s.text().isEmpty()),
          at,
          "a tokens task tags the tokens of a text, but no source has one (data.sources[].text)");
      problems.require(
          prep.text().split() == PrepConfig.TextSplit.WHITESPACE,
          "prep.text.split",
          "must be whitespace with a tokens task (task "
              + t.name()
              + "): its cells hold one tag per whitespace-separated token of the text");
      problems.require(
          prep.text().ngrams() == 1,
          "prep.text.ngrams",
          "must be 1 with a tokens task (task "
              + t.name()
              + "): a word pair would take a position");
      problems.require(
          prep.text().charBuckets() == 0,
          "prep.text.charBuckets",
          "must be 0 with a tokens task (task "
              + t.name()
              + "): a word's trigrams would take several positions");
      problems.require(
          model.sharing() == ModelConfig.Sharing.HARD,
          "model.sharing",
          "must be hard with a tokens task (task "
              + t.name()
              + "): token tasks read the text encoder's states, the other tasks one shared trunk;"
              + " towers and experts per task are not built for token tasks");
      problems.require(
          train.taskWeighting() != TrainConfig.Weighting.MGDA_UB,
          "train.taskWeighting",
          "mgda_ub differentiates dense task layers above the shared representation; token task "
              + t.name()
              + " reads the text encoder's per-token states: use mgda");
      return;
    }
  }

  /**
   * A caption task writes its source's text one word per position: the column must be that text,
   * with one position per word (no word pairs, no character trigrams, no shapes), and nothing else
   * may read the text (the shared layers would see the caption they are to write).
   */
  private void checkCaptionTasks(Problems problems) {
    List<TaskConfig> captions = tasks.stream().filter(TaskConfig::caption).toList();
    if (captions.isEmpty()) {
      return;
    }
    TaskConfig t = captions.get(0);
    int i = tasks.indexOf(t);
    problems.require(
        List.of("tabular", "image", "ids").stream()
            .anyMatch(m -> provides(m) && (model.fuse().isEmpty() || model.fuse().contains(m))),
        "tasks[" + i + "].type",
        "caption task "
            + t.name()
            + " writes the text from the record's other modalities, but the fusion reads none"
            + " (a table, an image or ids)");
    problems.require(
        prep.text().fixedMaxTokens() != 1,
        "prep.text.maxTokens",
        "must be at least 2 with a caption task (task " + t.name() + "): a word and the end mark");
    problems.require(
        captions.size() == 1,
        "tasks",
        "at most one caption task, there are " + captions.stream().map(TaskConfig::name).toList());
    if (data.hasSource(t.source())) {
      problems.require(
          t.column().equals(data.source(t.source()).text()),
          "tasks[" + i + "].column",
          "a caption task writes its source's text: must be source "
              + t.source()
              + "'s text column ("
              + (data.source(t.source()).text().isEmpty()
                  ? "it has none: set data.sources[].text"
                  : "\"" + data.source(t.source()).text() + "\"")
              + "), was \""
              + t.column()
              + "\"");
    }
    problems.require(
        prep.text().ngrams() == 1,
        "prep.text.ngrams",
        "must be 1 with a caption task (task " + t.name() + "): a word pair would take a position");
    problems.require(
        prep.text().charBuckets() == 0 && !prep.text().shapes(),
        "prep.text",
        "charBuckets must be 0 and shapes off with a caption task (task "
            + t.name()
            + "): a word it writes is a vocabulary word, or unknown");
    for (TaskConfig o : tasks) {
      problems.require(
          o.type() != TaskConfig.TaskType.TOKENS
              && !(o.retrieval() && o.between().contains("text")),
          "tasks",
          "task "
              + o.name()
              + " reads the text that caption task "
              + t.name()
              + " writes: a model that writes a text cannot read it as an input");
    }
    problems.require(
        !model.fuse().contains("text"),
        "model.fuse",
        "a caption task's text is not fused (the shared layers would read the caption they are to"
            + " write): leave text out of model.fuse");
    problems.require(
        model.fusion() == ModelConfig.Fusion.CONCAT,
        "model.fusion",
        "must be concat with a caption task (task "
            + t.name()
            + "): the other fusions read the text or its presence flag");
    problems.require(
        train.taskWeighting() != TrainConfig.Weighting.MGDA_UB,
        "train.taskWeighting",
        "mgda_ub differentiates dense task layers above the shared representation; caption task "
            + t.name()
            + " writes through a recurrent decoder: use mgda");
  }

  /**
   * An imported image encoder reads the images and hands its cut layer's output on: the parts of
   * the model that read the configured convolutions' cells are not there.
   */
  private void checkImportedImageEncoder(TrainConfig.ImageEncoder imported, Problems problems) {
    String at = "train.pretrained.image";
    problems.require(
        provides("image"),
        at,
        "imports an image encoder (" + imported.source() + "), but no source gives an image");
    problems.require(
        prep.image().channels() == 3 || !List.of("torch", "caffe").contains(imported.normalise()),
        at + ".normalise",
        imported.normalise()
            + " normalises red, green and blue: set prep.image.channels: 3 (the images are grey)");
    problems.require(
        model.fusion() != ModelConfig.Fusion.SPATIAL,
        "model.fusion",
        "spatial reads the cells of the configured convolutions; an imported image encoder ("
            + imported.source()
            + ") gives its layer's output only: use another fusion");
    problems.require(
        model.taskAttentionHeads() == 0,
        "model.taskAttentionHeads",
        "each task's attention reads the cells of the configured convolutions; an imported image"
            + " encoder gives its layer's output only: set 0");
    problems.require(
        tasks.stream().noneMatch(TaskConfig::caption),
        "tasks",
        "a caption task attends over the cells of the configured convolutions; an imported image"
            + " encoder gives its layer's output only");
  }

  /** Refuses an image encoder whose convolutions and poolings leave no pixel of the image. */
  private void checkImageEncoder(Problems problems) {
    int width = prep.image().width();
    int height = prep.image().height();
    int shrink =
        model.imagePadding() == ModelConfig.ImagePadding.VALID ? model.imageKernel() - 1 : 0;
    for (int i = 0; i < model.imageFilters().size(); i++) {
      width = (width - shrink) / 2;
      height = (height - shrink) / 2;
      if (width < 1 || height < 1) {
        problems.add(
            "model.imageFilters",
            "convolution "
                + (i + 1)
                + " ("
                + model.imageKernel()
                + "x"
                + model.imageKernel()
                + ", padding "
                + model.imagePadding().name().toLowerCase()
                + ") and its 2x2 pooling leave no pixel of the "
                + prep.image().width()
                + "x"
                + prep.image().height()
                + " image (prep.image): use fewer convolutions, a smaller imageKernel or imagePadding: same");
        return;
      }
    }
  }

  private void checkObjective(Problems problems) {
    // DL4J 1.0.0-M2.1's self-attention layer passes back twice its gradient (its gradient check
    // fails
    // with a relative error of 1/3 on every parameter in and below it); Adam's normalization
    // cancels a
    // constant factor, SGD and Nesterov momentum would take steps twice as large there.
    problems.require(
        model.textEncoder() != ModelConfig.TextEncoder.ATTENTION
            || train.updater() == TrainConfig.Updater.ADAM,
        "model.textEncoder",
        "attention needs train.updater: adam (DL4J's self-attention layer returns twice its gradient, which "
            + "only Adam cancels); was "
            + train.updater().name().toLowerCase());
    // MGDA-UB differentiates the tasks' own layers from one shared representation; soft sharing
    // and the experts have per-task parts inside the shared layers.
    problems.require(
        train.taskWeighting() != TrainConfig.Weighting.MGDA_UB
            || model.sharing() == ModelConfig.Sharing.HARD,
        "train.taskWeighting",
        "mgda_ub needs model.sharing: hard (one representation every task reads); was "
            + model.sharing().name().toLowerCase()
            + ": use mgda, which combines the shared parameters' gradients");
    problems.require(
        train.taskWeighting() != TrainConfig.Weighting.MGDA_UB || model.taskAttentionHeads() == 0,
        "train.taskWeighting",
        "mgda_ub differentiates dense task layers above the shared representation; each task's"
            + " attention (model.taskAttentionHeads) is not one: use mgda, or another weighting");
    Set<String> known = new HashSet<>();
    tasks.forEach(t -> known.add(t.name()));
    for (String task : train.objectiveWeights().keySet()) {
      problems.require(
          known.contains(task),
          "train.objectiveWeights." + task,
          "no task named \"" + task + "\" (tasks: " + String.join(", ", known) + ")");
    }
  }

  /** The task with this name. */
  public TaskConfig task(String name) {
    return tasks.stream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no task named " + name));
  }

  /** The tasks whose labels come from {@code source}, in configuration order. */
  public List<TaskConfig> tasksOf(String source) {
    return tasks.stream().filter(t -> t.source().equals(source)).toList();
  }
}
