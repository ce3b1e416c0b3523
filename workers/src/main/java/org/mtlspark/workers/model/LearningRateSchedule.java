package org.mtlspark.workers.model;

import org.mtlspark.config.TrainConfig;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The learning rate at a worker's step: a linear warm-up, then constant, cosine decay or steps
 * ({@link TrainConfig.Schedule}). Steps are counted per worker (the network's iteration count,
 * which parameter averaging keeps as the steps each worker has taken), so {@code stepsPerEpoch}
 * is the training batches divided by the workers. Part of the network configuration: a resumed or
 * saved model keeps its schedule.
 */
public final class LearningRateSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  @JsonProperty private final TrainConfig.ScheduleKind kind;
  @JsonProperty private final double rate;
  @JsonProperty private final double warmupSteps;
  @JsonProperty private final double totalSteps;
  @JsonProperty private final double stepSteps;
  @JsonProperty private final double stepFactor;
  @JsonProperty private final double minFraction;

  @JsonCreator
  public LearningRateSchedule(
      @JsonProperty("kind") TrainConfig.ScheduleKind kind,
      @JsonProperty("rate") double rate,
      @JsonProperty("warmupSteps") double warmupSteps,
      @JsonProperty("totalSteps") double totalSteps,
      @JsonProperty("stepSteps") double stepSteps,
      @JsonProperty("stepFactor") double stepFactor,
      @JsonProperty("minFraction") double minFraction) {
    this.kind = kind;
    this.rate = rate;
    this.warmupSteps = warmupSteps;
    this.totalSteps = totalSteps;
    this.stepSteps = stepSteps;
    this.stepFactor = stepFactor;
    this.minFraction = minFraction;
  }

  /** The schedule of {@code train} for training of {@code stepsPerEpoch} steps per worker and epoch. */
  public static LearningRateSchedule of(TrainConfig train, int stepsPerEpoch) {
    TrainConfig.Schedule s = train.schedule();
    int steps = Math.max(1, stepsPerEpoch);
    return new LearningRateSchedule(
        s.kind(),
        train.learningRate(),
        s.warmupEpochs() * steps,
        (double) train.epochs() * steps,
        (double) s.stepEpochs() * steps,
        s.stepFactor(),
        s.minFraction());
  }

  /** Whether {@code train} asks for anything but a constant rate. */
  public static boolean varies(TrainConfig train) {
    return train.schedule().kind() != TrainConfig.ScheduleKind.CONSTANT
        || train.schedule().warmupEpochs() > 0;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    double step = Math.max(0, iteration);
    double value =
        switch (kind) {
          case CONSTANT -> rate;
          case COSINE -> {
            double t = Math.min(1, step / Math.max(1, totalSteps));
            double floor = rate * minFraction;
            yield floor + (rate - floor) * 0.5 * (1 + Math.cos(Math.PI * t));
          }
          case STEP -> rate * Math.pow(stepFactor, Math.floor(step / Math.max(1, stepSteps)));
        };
    if (step < warmupSteps) {
      value *= (step + 1) / (warmupSteps + 1);
    }
    return value;
  }

  @Override
  public ISchedule clone() {
    return new LearningRateSchedule(
        kind, rate, warmupSteps, totalSteps, stepSteps, stepFactor, minFraction);
  }
}
