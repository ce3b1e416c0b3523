package org.mtlspark.prep.feature;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TaskConfig.TaskType;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.SourceValues;

/** Ordinal classes become K - 1 cumulative targets ("above class k"); the median class is the baseline's. */
class OrdinalEncodingTest {
  static final MtlConfig CONFIG =
      ConfigLoader.fromYaml(
          """
      data:
        key: [id]
        sources:
          - {name: table, format: csv, path: t, numeric: [x]}
      tasks:
        - {name: risk, type: ordinal, source: table, column: risk, classes: [Low, Medium, High, Very_High]}
      """,
          "test.yaml");
  static final TaskEncoding RISK =
      new TaskEncoding(
          "risk",
          TaskType.ORDINAL,
          "risk",
          1,
          List.of("Low", "Medium", "High", "Very_High"),
          List.of(10L, 20L, 5L, 1L),
          0,
          1,
          36);
  static final FeaturizerState STATE =
      new FeaturizerState(
          List.of(ModelInputs.TABULAR),
          List.of("table.x"),
          List.of(0.0),
          List.of(1.0),
          false,
          List.of(),
          List.of(),
          List.of(),
          4,
          4,
          List.of(),
          2,
          2,
          List.of(RISK));

  private static Example featurize(String label) {
    SourceValues table =
        new SourceValues(new double[] {1}, new String[0], null, null, new String[] {label}, null);
    return new Featurizer(STATE, new RecordLayout(CONFIG))
        .featurize(
            new AlignedRecord(
                "k", new SourceValues[] {table}, AlignedRecord.Status.USABLE, null, new int[1]));
  }

  @Test
  void eachClassIsTheNumberOfCumulativeTargetsSet() {
    assertEquals(3, RISK.width());
    assertArrayEquals(new float[] {0, 0, 0}, featurize("Low").labels()[0]);
    assertArrayEquals(new float[] {1, 0, 0}, featurize("Medium").labels()[0]);
    assertArrayEquals(new float[] {1, 1, 0}, featurize("High").labels()[0]);
    assertArrayEquals(new float[] {1, 1, 1}, featurize("Very_High").labels()[0]);
    assertArrayEquals(new float[] {1}, featurize("High").labelMask());
    assertArrayEquals(new float[] {0}, featurize(null).labelMask());
  }

  @Test
  void theMedianTrainingClassIsWhereTheCumulativeCountReachesHalf() {
    // 36 rows: Low 10, Medium 20 (30 >= 18).
    assertEquals(1, RISK.medianClass());
    TaskEncoding top =
        new TaskEncoding(
            "t", TaskType.ORDINAL, "t", 1, List.of("a", "b", "c"), List.of(1L, 1L, 5L), 0, 1, 7);
    assertEquals(2, top.medianClass());
  }
}
