package org.mtlspark.workers.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a round leaves out while pretrained layers are frozen: exactly their parameters, for as
 * long as their rate stays 0, and nothing once it does not.
 */
class FrozenSpansTest {
  static final Set<String> FROZEN = Set.of("image_conv0", "image_conv1", "image_dense");

  /** The test network with the image encoder frozen for one epoch of 4 steps. */
  static ComputationGraph graph(String updater) {
    FeaturizerState s = TestBatches.state();
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.imageFilters=[2, 3]",
                "train.updater=" + updater,
                "train.pretrained.frozenEpochs=1",
                "train.pretrained.from=runs/other",
                "train.pretrained.parts=[image]"));
    return GraphBuilder.build(s, config.model(), config.train(), 1, 4, FROZEN);
  }

  @Test
  void theFrozenLayersParametersAndUpdaterStateAreLeftOutAndPutBack() {
    for (String updater : List.of("adam", "sgd", "nesterovs")) {
      ComputationGraph g = graph(updater);
      FrozenSpans spans = FrozenSpans.of(g, 0, 4);
      long frozen = FROZEN.stream().mapToLong(n -> g.getLayer(n).numParams()).sum();
      assertEquals(frozen, spans.parameters(), updater);

      // Mark every parameter with its index: what is packed is exactly the unfrozen layers'.
      float[] full = new float[(int) g.numParams()];
      for (int i = 0; i < full.length; i++) {
        full[i] = i;
      }
      g.params().assign(Nd4j.createFromArray(full));
      float[] packed = spans.pack(full);
      assertEquals(full.length - frozen, packed.length);
      java.util.Set<Float> left = new java.util.HashSet<>();
      for (float v : packed) {
        left.add(v);
      }
      for (String name : FROZEN) {
        for (float v : g.getLayer(name).params().toFloatVector()) {
          assertTrue(!left.contains(v), name + "'s parameter " + v + " is left out");
        }
      }
      float[] other = new float[full.length];
      java.util.Arrays.fill(other, -1);
      float[] back = spans.unpack(packed, full);
      assertArrayEquals(full, back, "unpacked as it was");
      float[] mixed = spans.unpack(spans.pack(other), full);
      for (String name : FROZEN) {
        INDArray p = g.getLayer(name).params();
        int at = (int) p.getFloat(0);
        assertEquals(at, mixed[at], 0, name + " from the frozen values");
      }
      assertEquals(-1, mixed[(int) g.getLayer("trunk0").params().getFloat(0)], 0);
    }
  }

  @Test
  void onlyWhileTheRateStaysZeroThroughTheComingSteps() {
    ComputationGraph g = graph("adam");
    assertTrue(!FrozenSpans.of(g, 0, 4).none(), "frozen through steps 0-3");
    assertTrue(FrozenSpans.of(g, 0, 5).none(), "step 4 trains: exchanged whole");
    assertTrue(FrozenSpans.of(g, 4, 4).none(), "the second epoch trains");
    MtlConfig plain = ConfigLoader.load(List.of(), List.of());
    ComputationGraph free =
        GraphBuilder.build(TestBatches.state(), plain.model(), plain.train(), 1, 4, Set.of());
    assertTrue(FrozenSpans.of(free, 0, 4).none(), "nothing pretrained, nothing frozen");
  }
}
