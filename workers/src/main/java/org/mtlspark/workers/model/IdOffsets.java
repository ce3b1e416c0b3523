package org.mtlspark.workers.model;

import java.util.Arrays;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Moves each identifier column's indices into the column's own block of rows of one embedding
 * table: column {@code c}'s index {@code i} becomes {@code offsets[c] + i}. So one embedding lookup
 * over the {@code [mb, columns]} ids input is one embedding table per column, side by side; the
 * data keeps each column's own index (0: unknown or missing). Nothing flows back through it: the
 * indices are not differentiable, and the ids input is a network input.
 */
public final class IdOffsets implements InputPreProcessor {
  private static final long serialVersionUID = 1L;

  @JsonProperty("offsets")
  private final long[] offsets;

  /** {@code offsets[c]}: the first row of column {@code c}'s block. */
  @JsonCreator
  public IdOffsets(@JsonProperty("offsets") long[] offsets) {
    this.offsets = offsets.clone();
  }

  /** The offsets of columns whose blocks have {@code sizes[c]} rows, in order. */
  public static IdOffsets of(int[] sizes) {
    long[] offsets = new long[sizes.length];
    for (int c = 1; c < sizes.length; c++) {
      offsets[c] = offsets[c - 1] + sizes[c - 1];
    }
    return new IdOffsets(offsets);
  }

  public long[] getOffsets() {
    return offsets.clone();
  }

  @Override
  public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    if (input.rank() != 2 || input.size(1) != offsets.length) {
      throw new IllegalArgumentException(
          "the ids input must be [minibatch, "
              + offsets.length
              + "], was "
              + Arrays.toString(input.shape()));
    }
    INDArray out = workspaceMgr.dup(ArrayType.ACTIVATIONS, input, 'c');
    return out.addiRowVector(Nd4j.createFromArray(offsets).castTo(input.dataType()));
  }

  @Override
  public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    return output == null ? null : workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, output);
  }

  @Override
  public IdOffsets clone() {
    return new IdOffsets(offsets);
  }

  @Override
  public InputType getOutputType(InputType inputType) {
    return inputType;
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(
      INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdOffsets other && Arrays.equals(offsets, other.offsets);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(offsets);
  }
}
