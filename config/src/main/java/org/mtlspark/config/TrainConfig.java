package org.mtlspark.config;

/** Parameter-averaging training on Spark. */
public record TrainConfig(
    Engine engine,
    int epochs,
    Updater updater,
    double learningRate,
    Schedule schedule,
    String workers,
    int averagingFrequency,
    int patience,
    double selectionTolerance,
    java.util.Map<String, Double> objectiveWeights,
    double modalityDropout,
    Weighting taskWeighting,
    double dwaTemperature,
    double gradNormAlpha,
    double weightLearningRate,
    boolean compensateLabelRate,
    String nativeThreads,
    String batchMemory,
    Pretrained pretrained)
    implements Validatable {

  /**
   * How the parts of the network that start from pretrained values (the text embedding from {@code
   * prep.text.vectors}) train: frozen (unchanged) for the first {@code frozenEpochs} epochs, then
   * at {@code rateFactor} times the learning rate of the rest. {@code frozenEpochs} at or above
   * {@code train.epochs} keeps them frozen throughout. {@code scale}: one factor for every vector,
   * {@code auto} (the factor that gives the vectors the spread of the layer's random rows, so that
   * they start on the scale the rest of the network expects) or a number ({@code 1}: as in the
   * file).
   */
  public record Pretrained(
      int frozenEpochs,
      double rateFactor,
      String scale,
      String from,
      java.util.List<String> parts,
      ImageEncoder image)
      implements Validatable {
    /** Pretrained parts train from the start, at the network's rate, scaled automatically. */
    public static final Pretrained FREE =
        new Pretrained(0, 1.0, AUTO, "", java.util.List.of(), ImageEncoder.NONE);

    /** The encoders another model may give: {@code parts}' values. */
    public static final java.util.List<String> PARTS =
        java.util.List.of("image", "text", "tabular");

    public Pretrained {
      from = from == null ? "" : from.strip();
      parts = parts == null ? java.util.List.of() : java.util.List.copyOf(parts);
      image = image == null ? ImageEncoder.NONE : image;
    }

    /** Whether encoders start from another model's ({@code from}: its run folder). */
    public boolean hasSource() {
      return !from.isEmpty();
    }

    /** Whether the scale is chosen from the layer's random rows. */
    public boolean autoScale() {
      return isAuto(scale);
    }

    /** The configured scale; NaN for {@code auto} or anything that is not a number. */
    public double fixedScale() {
      try {
        return autoScale() ? Double.NaN : Double.parseDouble(scale.strip());
      } catch (NumberFormatException | NullPointerException e) {
        return Double.NaN;
      }
    }

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          frozenEpochs >= 0,
          Validatable.at(path, "frozenEpochs"),
          "must be >= 0, was " + frozenEpochs);
      problems.require(
          rateFactor > 0 && rateFactor <= 1,
          Validatable.at(path, "rateFactor"),
          "must be in (0, 1], was " + rateFactor);
      problems.require(
          autoScale() || (fixedScale() > 0 && Double.isFinite(fixedScale())),
          Validatable.at(path, "scale"),
          "must be auto or a number above 0, was " + scale);
      problems.require(
          hasSource() == !parts.isEmpty(),
          Validatable.at(path, hasSource() ? "parts" : "from"),
          hasSource()
              ? "name the encoders to take from " + from + ": any of " + PARTS
              : "parts " + parts + " need the model to take them from (a run folder of train)");
      for (String part : parts) {
        problems.require(
            PARTS.contains(part),
            Validatable.at(path, "parts"),
            "\"" + part + "\" is none of " + PARTS);
      }
      problems.require(
          parts.stream().distinct().count() == parts.size(),
          Validatable.at(path, "parts"),
          "names an encoder twice: " + parts);
      image.validate(Validatable.at(path, "image"), problems);
      problems.require(
          !image.given() || !parts.contains("image"),
          Validatable.at(path, "parts"),
          "takes the image encoder from "
              + from
              + ", and image imports one from "
              + image.source()
              + ": start it from one of them");
    }
  }

  /**
   * An image encoder from elsewhere, in place of the configured convolutions: a Keras model file
   * ({@code keras}: HDF5, functional or sequential) or a deeplearning4j-zoo architecture ({@code
   * zoo}) with its weights from a model DL4J saved ({@code weights}), cut at {@code layer} (its
   * output is the encoding, which {@code image_dense} projects to {@code model.imageHidden}). The
   * images reach it as it expects them: channels first or last as its layers read them, normalised
   * by {@code normalise} (Keras's {@code preprocess_input} modes: {@code none}, pixels in [0, 1];
   * {@code tf}, in [-1, 1]; {@code torch}, ImageNet's mean and deviation per channel; {@code
   * caffe}, blue-green-red in [0, 255] less ImageNet's mean). Its layers up to {@code frozenUpTo}
   * (default: all) train by {@code frozenEpochs} and {@code rateFactor}; those after it at {@code
   * rateFactor} from the start.
   */
  public record ImageEncoder(
      String keras, String zoo, String weights, String layer, String normalise, String frozenUpTo)
      implements Validatable {
    /** No imported image encoder. */
    public static final ImageEncoder NONE = new ImageEncoder("", "", "", "", "none", "");

    /** The architectures of deeplearning4j-zoo that {@code zoo} names. */
    public static final java.util.List<String> ZOO =
        java.util.List.of(
            "alexnet",
            "darknet19",
            "lenet",
            "resnet50",
            "simplecnn",
            "squeezenet",
            "vgg16",
            "vgg19",
            "xception");

    /** {@code normalise}'s values. */
    public static final java.util.List<String> NORMALISE =
        java.util.List.of("none", "tf", "torch", "caffe");

    public ImageEncoder {
      keras = keras == null ? "" : keras.strip();
      zoo = zoo == null ? "" : zoo.strip().toLowerCase(java.util.Locale.ROOT);
      weights = weights == null ? "" : weights.strip();
      layer = layer == null ? "" : layer.strip();
      normalise =
          normalise == null || normalise.isBlank()
              ? "none"
              : normalise.strip().toLowerCase(java.util.Locale.ROOT);
      frozenUpTo = frozenUpTo == null ? "" : frozenUpTo.strip();
    }

    /** Whether an image encoder is imported. */
    public boolean given() {
      return !keras.isEmpty() || !zoo.isEmpty();
    }

    /** Where the encoder comes from, for messages: the Keras file, or the architecture and weights. */
    public String source() {
      return !keras.isEmpty() ? keras : zoo + " (weights " + weights + ")";
    }

    /** The layer up to which the encoder is frozen: {@code frozenUpTo}, or the cut layer. */
    public String frozenLayer() {
      return frozenUpTo.isEmpty() ? layer : frozenUpTo;
    }

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          keras.isEmpty() || zoo.isEmpty(),
          Validatable.at(path, "keras"),
          "give a Keras file or a zoo architecture, not both (zoo was " + zoo + ")");
      problems.require(
          zoo.isEmpty() || ZOO.contains(zoo),
          Validatable.at(path, "zoo"),
          "\"" + zoo + "\" is none of " + ZOO);
      problems.require(
          zoo.isEmpty() || !weights.isEmpty(),
          Validatable.at(path, "weights"),
          "the zoo architecture "
              + zoo
              + " needs its weights: a model file DL4J saved (nothing is downloaded)");
      problems.require(
          weights.isEmpty() || !zoo.isEmpty(),
          Validatable.at(path, "weights"),
          "weights are for a zoo architecture (a Keras file holds its own); zoo is not set");
      problems.require(
          !given() || !layer.isEmpty(),
          Validatable.at(path, "layer"),
          "name the layer whose output is the image encoding (the encoder is cut there)");
      problems.require(
          given() || (layer.isEmpty() && frozenUpTo.isEmpty()),
          Validatable.at(path, layer.isEmpty() ? "frozenUpTo" : "layer"),
          "is for an imported encoder: set keras or zoo");
      problems.require(
          NORMALISE.contains(normalise),
          Validatable.at(path, "normalise"),
          "\"" + normalise + "\" is none of " + NORMALISE);
    }
  }

  /**
   * How parameter averaging runs on Spark: {@code resident} keeps each worker's batches and network
   * on its executor and moves only parameters and updater state per round; {@code dl4j} is
   * dl4j-spark's ParameterAveragingTrainingMaster over the batch files.
   */
  public enum Engine {
    RESIDENT,
    DL4J
  }

  /** {@code train.workers: auto}: as many workers as the application has executor cores. */
  public static final String AUTO = "auto";

  /**
   * How the tasks' losses are weighted and their gradients combined. Between epochs, on the driver:
   * {@code static} (the configured weights), {@code dwa} (Dynamic Weight Average) and {@code
   * inverse_loss} (weights proportional to 1 / each task's last loss). At every step, inside each
   * worker (engine resident): {@code uncertainty} (Kendall et al.'s learned log-variances), {@code
   * gradnorm} (GradNorm's learned weights), {@code pcgrad} (PCGrad's projection of conflicting
   * gradients), {@code mgda} (the least-norm combination of the tasks' gradients of the shared
   * parameters) and {@code mgda_ub} (the same weights from the gradients at the shared
   * representation, MGDA-UB; hard sharing only).
   */
  public enum Weighting {
    STATIC,
    DWA,
    INVERSE_LOSS,
    UNCERTAINTY,
    GRADNORM,
    PCGRAD,
    MGDA,
    MGDA_UB;

    /** Whether the method acts at every step inside the workers (rather than between epochs). */
    public boolean perStep() {
      return this == UNCERTAINTY
          || this == GRADNORM
          || this == PCGRAD
          || this == MGDA
          || this == MGDA_UB;
    }

    /** Whether each step needs every task's own gradient (one backward pass per task). */
    public boolean needsTaskGradients() {
      return this == GRADNORM || this == PCGRAD || this == MGDA;
    }

    /** The name as configured. */
    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Optimizers offered for training; the updater state is averaged with the parameters. */
  public enum Updater {
    ADAM,
    SGD,
    NESTEROVS
  }

  /**
   * The learning rate over training: {@code kind} constant, cosine (from the configured rate down
   * to {@code minFraction} of it at the end of the last epoch) or step (multiplied by {@code
   * stepFactor} every {@code stepEpochs} epochs); during the first {@code warmupEpochs} (may be a
   * fraction) it rises linearly to where the schedule stands.
   */
  public record Schedule(
      ScheduleKind kind, double warmupEpochs, int stepEpochs, double stepFactor, double minFraction)
      implements Validatable {
    /** A constant learning rate, no warm-up. */
    public static final Schedule CONSTANT = new Schedule(ScheduleKind.CONSTANT, 0, 1, 1, 0);

    @Override
    public void validate(String path, Problems problems) {
      problems.require(
          warmupEpochs >= 0 && Double.isFinite(warmupEpochs),
          Validatable.at(path, "warmupEpochs"),
          "must be >= 0, was " + warmupEpochs);
      problems.require(
          stepEpochs >= 1, Validatable.at(path, "stepEpochs"), "must be >= 1, was " + stepEpochs);
      problems.require(
          stepFactor > 0 && stepFactor <= 1,
          Validatable.at(path, "stepFactor"),
          "must be in (0, 1], was " + stepFactor);
      problems.require(
          minFraction >= 0 && minFraction <= 1,
          Validatable.at(path, "minFraction"),
          "must be in [0, 1], was " + minFraction);
    }
  }

  /** How the learning rate moves over training. */
  public enum ScheduleKind {
    CONSTANT,
    COSINE,
    STEP
  }

  /** This training with another task weighting. */
  public TrainConfig withWeighting(Weighting weighting) {
    return new TrainConfig(
        engine,
        epochs,
        updater,
        learningRate,
        schedule,
        workers,
        averagingFrequency,
        patience,
        selectionTolerance,
        objectiveWeights,
        modalityDropout,
        weighting,
        dwaTemperature,
        gradNormAlpha,
        weightLearningRate,
        compensateLabelRate,
        nativeThreads,
        batchMemory,
        pretrained);
  }

  /** This training with other epochs, averaging frequency and patience. */
  public TrainConfig withSchedule(int epochs, int averagingFrequency, int patience) {
    return new TrainConfig(
        engine,
        epochs,
        updater,
        learningRate,
        schedule,
        workers,
        averagingFrequency,
        patience,
        selectionTolerance,
        objectiveWeights,
        modalityDropout,
        taskWeighting,
        dwaTemperature,
        gradNormAlpha,
        weightLearningRate,
        compensateLabelRate,
        nativeThreads,
        batchMemory,
        pretrained);
  }

  /**
   * The native threads (OpenMP, ND4J's, OpenBLAS's) each worker trains with: the configured number,
   * or 0 for {@code auto} (the task's {@code spark.task.cpus}, resolved where the worker runs).
   */
  public int fixedNativeThreads() {
    return isAuto(nativeThreads) ? 0 : wholeNumber(nativeThreads);
  }

  /**
   * The memory a worker may hold its share of the training batches in, in bytes: the configured
   * megabytes, or -1 for {@code auto} (resolved where the worker runs).
   */
  public long batchMemoryBytes() {
    return isAuto(batchMemory) ? -1 : (long) wholeNumber(batchMemory) << 20;
  }

  private static boolean isAuto(String value) {
    return AUTO.equalsIgnoreCase(value == null ? null : value.strip());
  }

  /** {@code value} as a whole number; -1 when it is not one. */
  private static int wholeNumber(String value) {
    try {
      return value == null ? -1 : Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Whether the workers follow the executors' cores ({@code auto}). */
  public boolean autoWorkers() {
    return isAuto(workers);
  }

  /** The configured number of workers; 0 for {@code auto} or anything that is not a whole number. */
  public int fixedWorkers() {
    return Math.max(0, wholeNumber(workers));
  }

  @Override
  public void validate(String path, Problems problems) {
    problems.require(epochs >= 1, Validatable.at(path, "epochs"), "must be >= 1, was " + epochs);
    problems.require(
        learningRate > 0 && learningRate < 10,
        Validatable.at(path, "learningRate"),
        "must be in (0, 10), was " + learningRate);
    problems.require(
        autoWorkers() || fixedWorkers() >= 1,
        Validatable.at(path, "workers"),
        "must be auto or a whole number >= 1, was " + workers);
    problems.require(
        patience >= 0, Validatable.at(path, "patience"), "must be >= 0, was " + patience);
    problems.require(
        selectionTolerance >= 0 && selectionTolerance < 1,
        Validatable.at(path, "selectionTolerance"),
        "must be in [0, 1), was " + selectionTolerance);
    schedule.validate(Validatable.at(path, "schedule"), problems);
    pretrained.validate(Validatable.at(path, "pretrained"), problems);
    // dl4j-spark's training master restarts the workers' step counts, so a schedule would not
    // advance there.
    problems.require(
        engine == Engine.RESIDENT
            || (schedule.kind() == ScheduleKind.CONSTANT && schedule.warmupEpochs() == 0),
        Validatable.at(path, "schedule"),
        "a learning-rate schedule needs train.engine: resident (dl4j-spark's training master does "
            + "not carry the workers' step counts); was engine "
            + engine.name().toLowerCase()
            + " with schedule "
            + schedule.kind().name().toLowerCase());
    problems.require(
        schedule.warmupEpochs() < epochs || schedule.warmupEpochs() == 0,
        Validatable.at(Validatable.at(path, "schedule"), "warmupEpochs"),
        "must be less than train.epochs (" + epochs + "), was " + schedule.warmupEpochs());
    objectiveWeights.forEach(
        (task, w) ->
            problems.require(
                w >= 0 && Double.isFinite(w),
                Validatable.at(Validatable.at(path, "objectiveWeights"), task),
                "must be >= 0, was " + w));
    problems.require(
        modalityDropout >= 0 && modalityDropout < 1,
        Validatable.at(path, "modalityDropout"),
        "must be in [0, 1), was " + modalityDropout);
    problems.require(
        dwaTemperature > 0 && Double.isFinite(dwaTemperature),
        Validatable.at(path, "dwaTemperature"),
        "must be > 0, was " + dwaTemperature);
    problems.require(
        gradNormAlpha >= 0 && Double.isFinite(gradNormAlpha),
        Validatable.at(path, "gradNormAlpha"),
        "must be >= 0, was " + gradNormAlpha);
    problems.require(
        weightLearningRate > 0 && weightLearningRate < 10,
        Validatable.at(path, "weightLearningRate"),
        "must be in (0, 10), was " + weightLearningRate);
    problems.require(
        engine == Engine.RESIDENT || pretrained.frozenEpochs() == 0,
        Validatable.at(path, "pretrained.frozenEpochs"),
        "needs train.engine: resident (the freeze counts the workers' steps, which dl4j-spark's"
            + " training master does not carry); was "
            + pretrained.frozenEpochs());
    problems.require(
        engine == Engine.RESIDENT || !taskWeighting.perStep(),
        Validatable.at(path, "taskWeighting"),
        taskWeighting.configName()
            + " acts inside each worker's step and needs train.engine: resident (dl4j-spark's "
            + "training master fits its workers itself)");
    problems.require(
        isAuto(nativeThreads) || wholeNumber(nativeThreads) >= 1,
        Validatable.at(path, "nativeThreads"),
        "must be auto or a whole number >= 1, was " + nativeThreads);
    problems.require(
        isAuto(batchMemory) || wholeNumber(batchMemory) >= 0,
        Validatable.at(path, "batchMemory"),
        "must be auto or a whole number of megabytes >= 0, was " + batchMemory);
    problems.require(
        averagingFrequency >= 1,
        Validatable.at(path, "averagingFrequency"),
        "must be >= 1, was " + averagingFrequency);
  }
}
