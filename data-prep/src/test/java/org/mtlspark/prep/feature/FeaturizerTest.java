package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.source.LabelValues;
import org.mtlspark.prep.source.TabularValues;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class FeaturizerTest {
  static final FeaturizerState STATE = new FeaturizerState(
      List.of("x"), List.of(10.0), List.of(2.0),
      List.of("color"), List.of(List.of("red", "blue")),
      4, List.of("good", "bad"), 2, 2,
      List.of(new TaskEncoding("r", TaskType.REGRESSION, "r", 1, List.of(), List.of(), 50, 10, 9),
          new TaskEncoding("m", TaskType.MULTICLASS, "m", 1, List.of("a", "b", "c"), List.of(3L, 5L, 1L), 0, 1, 9),
          new TaskEncoding("b", TaskType.BINARY, "b", 1, List.of("0", "1"), List.of(4L, 5L), 0, 1, 9)));

  @Test
  void allModalitiesAndLabelsPresent() {
    AlignedRecord r = new AlignedRecord("k", new TabularValues(new double[] {14}, new String[] {"blue"}),
        "Good, good and UNSEEN!", new byte[] {0, (byte) 255, 51, 102}, new LabelValues(new String[] {"60", "c", "1"}), 0);
    Example e = new Featurizer(STATE).featurize(r);
    assertArrayEquals(new float[] {2f, 0, 1, 0}, e.tabular(), "standardized x, one-hot blue, other slot empty");
    assertArrayEquals(new float[] {3, 3, TextVocabulary.UNKNOWN, TextVocabulary.UNKNOWN}, e.tokens());
    assertArrayEquals(new float[] {1, 1, 1, 1}, e.tokenMask());
    assertArrayEquals(new float[] {0, 1, 0.2f, 0.4f}, e.pixels(), 1e-6f);
    assertArrayEquals(new float[] {1, 1, 1}, e.presence());
    assertArrayEquals(new float[] {1f}, e.labels()[0], "(60 - 50) / 10");
    assertArrayEquals(new float[] {0, 0, 1}, e.labels()[1]);
    assertArrayEquals(new float[] {1}, e.labels()[2]);
    assertArrayEquals(new float[] {1, 1, 1}, e.labelMask());
  }

  @Test
  void missingPartsAreZeroFlaggedAndMasked() {
    AlignedRecord r = new AlignedRecord("k", new TabularValues(new double[] {Double.NaN}, new String[] {"green"}),
        null, null, new LabelValues(new String[] {null, "zzz", "0"}), 0);
    Example e = new Featurizer(STATE).featurize(r);
    assertArrayEquals(new float[] {0, 0, 0, 1}, e.tabular(), "missing number at the mean; unseen category in 'other'");
    assertArrayEquals(new float[] {TextVocabulary.NO_TEXT, 0, 0, 0}, e.tokens());
    assertArrayEquals(new float[] {1, 0, 0, 0}, e.tokenMask());
    assertArrayEquals(new float[] {1, 0, 0}, e.presence());
    assertArrayEquals(new float[] {0, 0, 1}, e.labelMask(), "missing label and unseen class are masked");
  }

  @Test
  void batchesCarryEveryInputAndAMaskPerTask() {
    Featurizer f = new Featurizer(STATE);
    MultiDataSet mds = BatchBuilder.build(List.of(f.padding(), f.padding()));
    assertEquals(4, mds.getFeatures().length);
    assertArrayEquals(new long[] {2, 4}, mds.getFeatures(0).shape());
    assertArrayEquals(new long[] {2, 4}, mds.getFeaturesMaskArray(1).shape());
    assertArrayEquals(new long[] {2, 3}, mds.getLabels(1).shape());
    for (int t = 0; t < 3; t++) {
      assertArrayEquals(new long[] {2, 1}, mds.getLabelsMaskArray(t).shape());
      assertEquals(0.0, mds.getLabelsMaskArray(t).sumNumber().doubleValue(), "padding rows are fully masked");
    }
  }

  @Test
  void textIsTokenizedOnLettersAndDigits() {
    assertEquals(List.of("it", "s", "2x", "faster"), TextVocabulary.tokenize("It's 2x  FASTER!"));
  }
}
