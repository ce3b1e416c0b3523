package org.mtlspark.testing;

import java.util.List;
import java.util.Map;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.TrainConfig;

/**
 * Training configurations for tests, by name instead of by position: start from the shipped
 * defaults ({@code conf/defaults.yaml}) or from a given configuration and change what the test is
 * about, e.g. {@code TrainConfigs.defaults().updater(SGD).learningRate(0.1).build()}.
 */
public final class TrainConfigs {
  private TrainConfig.Engine engine;
  private int epochs;
  private TrainConfig.Updater updater;
  private double learningRate;
  private TrainConfig.Schedule schedule;
  private String workers;
  private int averagingFrequency;
  private int patience;
  private double selectionTolerance;
  private Map<String, Double> objectiveWeights;
  private double modalityDropout;
  private TrainConfig.Weighting taskWeighting;
  private double dwaTemperature;
  private double gradNormAlpha;
  private double weightLearningRate;
  private boolean compensateLabelRate;
  private String nativeThreads;
  private String batchMemory;

  private TrainConfigs(TrainConfig c) {
    engine = c.engine();
    epochs = c.epochs();
    updater = c.updater();
    learningRate = c.learningRate();
    schedule = c.schedule();
    workers = c.workers();
    averagingFrequency = c.averagingFrequency();
    patience = c.patience();
    selectionTolerance = c.selectionTolerance();
    objectiveWeights = c.objectiveWeights();
    modalityDropout = c.modalityDropout();
    taskWeighting = c.taskWeighting();
    dwaTemperature = c.dwaTemperature();
    gradNormAlpha = c.gradNormAlpha();
    weightLearningRate = c.weightLearningRate();
    compensateLabelRate = c.compensateLabelRate();
    nativeThreads = c.nativeThreads();
    batchMemory = c.batchMemory();
  }

  /** The {@code train} section of the shipped defaults. */
  public static TrainConfigs defaults() {
    return from(ConfigLoader.load(List.of(), List.of()).train());
  }

  /** A copy of {@code config} to change. */
  public static TrainConfigs from(TrainConfig config) {
    return new TrainConfigs(config);
  }

  public TrainConfigs engine(TrainConfig.Engine value) {
    engine = value;
    return this;
  }

  public TrainConfigs epochs(int value) {
    epochs = value;
    return this;
  }

  public TrainConfigs updater(TrainConfig.Updater value) {
    updater = value;
    return this;
  }

  public TrainConfigs learningRate(double value) {
    learningRate = value;
    return this;
  }

  /** A fixed number of workers. */
  public TrainConfigs workers(int value) {
    workers = Integer.toString(value);
    return this;
  }

  public TrainConfigs averagingFrequency(int value) {
    averagingFrequency = value;
    return this;
  }

  public TrainConfigs schedule(TrainConfig.Schedule value) {
    schedule = value;
    return this;
  }

  public TrainConfigs selectionTolerance(double value) {
    selectionTolerance = value;
    return this;
  }

  public TrainConfigs patience(int value) {
    patience = value;
    return this;
  }

  public TrainConfigs objectiveWeights(Map<String, Double> value) {
    objectiveWeights = value;
    return this;
  }

  public TrainConfigs modalityDropout(double value) {
    modalityDropout = value;
    return this;
  }

  public TrainConfigs taskWeighting(TrainConfig.Weighting value) {
    taskWeighting = value;
    return this;
  }

  public TrainConfigs gradNormAlpha(double value) {
    gradNormAlpha = value;
    return this;
  }

  public TrainConfigs weightLearningRate(double value) {
    weightLearningRate = value;
    return this;
  }

  public TrainConfigs dwaTemperature(double value) {
    dwaTemperature = value;
    return this;
  }

  public TrainConfigs compensateLabelRate(boolean value) {
    compensateLabelRate = value;
    return this;
  }

  public TrainConfigs nativeThreads(int value) {
    nativeThreads = Integer.toString(value);
    return this;
  }

  /** The worker's batch memory in megabytes. */
  public TrainConfigs batchMemory(int megabytes) {
    batchMemory = Integer.toString(megabytes);
    return this;
  }

  public TrainConfig build() {
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
        TrainConfig.Pretrained.FREE);
  }
}
