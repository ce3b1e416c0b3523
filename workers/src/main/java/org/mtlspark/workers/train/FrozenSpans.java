package org.mtlspark.workers.train;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.mtlspark.workers.model.PretrainedSchedule;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * The stretches of the parameter vector that stay frozen through the coming steps: parameters
 * whose learning rate is a {@link PretrainedSchedule} still at 0 after them ({@code
 * train.pretrained.frozenEpochs}). They cannot change, so a round leaves them out: workers take
 * them once per epoch and return only the rest, and the driver averages only the rest ({@link
 * #pack}, {@link #unpack}). Their updater state stays in the exchange: ND4J's Adam and Nesterov
 * update their moments at a rate of 0 too (only the step is 0), and averaged as before they give
 * ordinary steps when the freeze ends. An epoch after the freeze exchanges everything again.
 */
final class FrozenSpans implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Nothing frozen. */
  static final FrozenSpans NONE = new FrozenSpans(new int[0]);

  private final int[] params; // [start, end) pairs, ascending, disjoint

  private FrozenSpans(int[] params) {
    this.params = params;
  }

  /**
   * The spans of {@code graph} frozen from step {@code iteration} through {@code steps} more
   * steps: its updater blocks whose every parameter has a pretrained schedule frozen past them.
   */
  static FrozenSpans of(ComputationGraph graph, int iteration, int steps) {
    List<int[]> p = new ArrayList<>();
    for (UpdaterBlock block :
        ((BaseMultiLayerUpdater<?>) graph.getUpdater(true)).getUpdaterBlocks()) {
      boolean frozen = !block.getLayersAndVariablesInBlock().isEmpty();
      for (UpdaterBlock.ParamState s : block.getLayersAndVariablesInBlock()) {
        IUpdater config = s.getLayer().getConfig().getUpdaterByParam(s.getParamName());
        frozen &=
            schedule(config) instanceof PretrainedSchedule ps
                && ps.frozenSteps() >= (double) iteration + steps;
      }
      if (frozen) {
        add(p, block.getParamOffsetStart(), block.getParamOffsetEnd());
      }
    }
    return p.isEmpty() ? NONE : new FrozenSpans(flat(p));
  }

  private static ISchedule schedule(IUpdater updater) {
    if (updater instanceof Adam a) {
      return a.getLearningRateSchedule();
    }
    if (updater instanceof Sgd s) {
      return s.getLearningRateSchedule();
    }
    if (updater instanceof Nesterovs n) {
      return n.getLearningRateSchedule();
    }
    return null;
  }

  private static void add(List<int[]> spans, int start, int end) {
    if (end <= start) {
      return;
    }
    int[] last = spans.isEmpty() ? null : spans.get(spans.size() - 1);
    if (last != null && last[1] == start) {
      last[1] = end;
    } else {
      spans.add(new int[] {start, end});
    }
  }

  private static int[] flat(List<int[]> spans) {
    int[] out = new int[spans.size() * 2];
    for (int i = 0; i < spans.size(); i++) {
      out[2 * i] = spans.get(i)[0];
      out[2 * i + 1] = spans.get(i)[1];
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FrozenSpans f && java.util.Arrays.equals(f.params, params);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(params);
  }

  boolean none() {
    return params.length == 0;
  }

  /** The number of frozen parameters. */
  long parameters() {
    return length(params);
  }

  private static long length(int[] spans) {
    long n = 0;
    for (int i = 0; i < spans.length; i += 2) {
      n += spans[i + 1] - spans[i];
    }
    return n;
  }

  /** The parameters {@code full} less the frozen spans. */
  float[] pack(float[] full) {
    int[] spans = params;
    if (spans.length == 0) {
      return full;
    }
    float[] out = new float[(int) (full.length - length(spans))];
    int from = 0;
    int to = 0;
    for (int i = 0; i < spans.length; i += 2) {
      int n = spans[i] - from;
      System.arraycopy(full, from, out, to, n);
      to += n;
      from = spans[i + 1];
    }
    System.arraycopy(full, from, out, to, full.length - from);
    return out;
  }

  /** {@code packed} with the frozen spans of {@code frozenValues} (a full vector) put back. */
  float[] unpack(float[] packed, float[] frozenValues) {
    int[] spans = params;
    if (spans.length == 0) {
      return packed;
    }
    float[] out = frozenValues.clone();
    int from = 0;
    int to = 0;
    for (int i = 0; i < spans.length; i += 2) {
      int n = spans[i] - to;
      System.arraycopy(packed, from, out, to, n);
      from += n;
      to = spans[i + 1];
    }
    System.arraycopy(packed, from, out, to, out.length - to);
    return out;
  }
}
