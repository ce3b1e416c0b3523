package org.mtlspark.workers.model;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The learning rate of a part that starts from pretrained values ({@code train.pretrained}): 0 (the
 * part frozen) for the first {@code frozenSteps} steps of a worker, then {@code factor} times the
 * network's rate at that step ({@code base}, or the constant {@code rate} when there is no
 * schedule). With an updater whose step scales with the rate (Adam, SGD, Nesterov), a rate of 0
 * leaves the parameters as they are, L2 included (SGD exactly; ND4J's Adam to within float
 * rounding, about 1e-7). Part of the network configuration, so a resumed
 * or saved model keeps it.
 */
public final class PretrainedSchedule implements ISchedule {
  private static final long serialVersionUID = 1L;

  @JsonProperty private final ISchedule base;
  @JsonProperty private final double rate;
  @JsonProperty private final double frozenSteps;
  @JsonProperty private final double factor;

  @JsonCreator
  public PretrainedSchedule(
      @JsonProperty("base") ISchedule base,
      @JsonProperty("rate") double rate,
      @JsonProperty("frozenSteps") double frozenSteps,
      @JsonProperty("factor") double factor) {
    this.base = base;
    this.rate = rate;
    this.frozenSteps = frozenSteps;
    this.factor = factor;
  }

  /** The steps of a worker through which the rate is 0. */
  public double frozenSteps() {
    return frozenSteps;
  }

  @Override
  public double valueAt(int iteration, int epoch) {
    if (iteration < frozenSteps) {
      return 0;
    }
    return factor * (base == null ? rate : base.valueAt(iteration, epoch));
  }

  @Override
  public ISchedule clone() {
    return new PretrainedSchedule(base == null ? null : base.clone(), rate, frozenSteps, factor);
  }
}
