package org.mtlspark.prep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.testing.SharedSpark;

/**
 * Quantile bins of numeric columns through a whole prep: a continuous column x (1 to 400 in
 * training, far outside that range in validation and test, which must not move the edges), a
 * column with three values and a column missing in most rows. The split is named by a key column,
 * so the training values are known exactly.
 */
class NumericBinsIT {
  @TempDir static Path dir;
  static SparkSession spark;
  static Manifest manifest;

  static final String EXPERIMENT =
      """
      data:
        key: [id, part]
        sources:
          - {name: t, format: csv, path: t.csv, numeric: [x, level, rare]}
      prep:
        numericBins: 4
        missingIndicators: false
        batchSize: 8
        partitions: "2"
        split: {by: part, named: true}
      tasks:
        - {name: y, type: regression, source: t, column: y}
      """;

  @BeforeAll
  static void prepare() throws IOException {
    spark = SharedSpark.get();
    List<String> lines = new ArrayList<>(List.of("id,part,x,level,rare,y"));
    for (int i = 1; i <= 400; i++) {
      lines.add(
          "t" + i + ",train," + i + "," + (1 + i % 3) + "," + (i % 50 == 0 ? i : "") + "," + i);
    }
    lines.add("v1,validation,-1000,1,,1");
    lines.add("s1,test,5000,3,,1");
    lines.add("s2,test,-5,2,,1");
    lines.add("s3,test,150,,,1");
    manifest = CsvPrep.run(spark, dir, EXPERIMENT, "t.csv", lines);
  }

  @Test
  void edgesAreQuantilesOfTheTrainingValuesOnlyAndSurviveTheManifest() throws IOException {
    FeaturizerState state = CsvPrep.readState(spark, dir);
    List<Double> x = state.numericEdges().get(0);
    assertEquals(5, x.size(), "four bins: " + x);
    double[] expected = {1, 100, 200, 300, 400};
    for (int k = 0; k < 5; k++) {
      assertEquals(expected[k], x.get(k), 1.0, "edge " + k + " of x: " + x);
    }
    assertEquals(List.of(1.0, 2.0, 3.0), state.numericEdges().get(1), "three values, two bins");
    assertEquals(List.of(50.0, 100.0, 200.0, 300.0, 400.0), state.numericEdges().get(2));
    assertEquals(3 + 4 + 2 + 4, state.tabularWidth(), "three standardized columns and their bins");
    assertEquals(manifest.featurizers().numericEdges(), state.numericEdges());
  }

  @Test
  void testRowsAreCodedAgainstTheTrainingEdges() {
    Map<String, float[]> tabular = new HashMap<>();
    CsvPrep.<Float>examples(spark, dir, "test", "tabular")
        .forEach(
            (key, values) -> {
              float[] bins = new float[values.size() - 3];
              for (int i = 3; i < values.size(); i++) {
                bins[i - 3] = values.get(i);
              }
              tabular.put(key, bins);
            });
    assertArrayEquals(
        new float[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 0}, tabular.get("s1, test"), "above every edge");
    assertArrayEquals(
        new float[] {0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, tabular.get("s2, test"), "x below every edge");
    float[] inside = tabular.get("s3, test");
    assertEquals(1f, inside[0], "150 is above the first bin of x");
    assertEquals(0.5f, inside[1], 0.02f, "150 is halfway through the second bin of x");
    assertArrayEquals(new float[6], Arrays.copyOfRange(inside, 2, 8), "the rest: 0");
  }
}
