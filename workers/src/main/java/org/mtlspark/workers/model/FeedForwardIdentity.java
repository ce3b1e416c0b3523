package org.mtlspark.workers.model;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Passes rows {@code [minibatch, size]} through unchanged, both ways, and declares them rows. DL4J
 * declares the mean-pooled text a sequence, so a dense layer reading it directly would get a
 * sequence-to-rows preprocessor whose backward pass returns a sequence-shaped gradient that cannot
 * be added to the gradient from the pooled text's other readers; this one stands in its place.
 */
public final class FeedForwardIdentity implements InputPreProcessor {
  private static final long serialVersionUID = 1L;

  @Override
  public INDArray preProcess(INDArray input, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    if (input.rank() != 2) {
      throw new IllegalArgumentException(
          "expected rows [minibatch, size], was " + java.util.Arrays.toString(input.shape()));
    }
    return workspaceMgr.leverageTo(ArrayType.ACTIVATIONS, input);
  }

  @Override
  public INDArray backprop(INDArray output, int miniBatchSize, LayerWorkspaceMgr workspaceMgr) {
    return output == null ? null : workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, output);
  }

  @Override
  public FeedForwardIdentity clone() {
    return new FeedForwardIdentity();
  }

  @Override
  public InputType getOutputType(InputType inputType) {
    return inputType instanceof InputType.InputTypeRecurrent r
        ? InputType.feedForward(r.getSize())
        : inputType;
  }

  @Override
  public Pair<INDArray, MaskState> feedForwardMaskArray(
      INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
    return new Pair<>(maskArray, currentMaskState);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeedForwardIdentity;
  }

  @Override
  public int hashCode() {
    return FeedForwardIdentity.class.hashCode();
  }
}
