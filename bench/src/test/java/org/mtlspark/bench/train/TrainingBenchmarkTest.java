package org.mtlspark.bench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.api.MultiDataSet;

class TrainingBenchmarkTest {
  @TempDir Path dir;

  static TrainingBenchmark.Run curve(double... objectives) {
    List<TrainingBenchmark.Point> points =
        java.util.stream.IntStream.range(0, objectives.length)
            .mapToObj(i -> new TrainingBenchmark.Point(10.0 * (i + 1), objectives[i]))
            .toList();
    return new TrainingBenchmark.Run(1, 30, 100, Map.of(), points, Double.NaN);
  }

  @Test
  void timeToQualityIsTheFirstEpochWithinOnePercentOfTheTarget() {
    TrainingBenchmark.Run run = curve(0.2, 0.5, 0.6);
    assertEquals(20.0, run.toQuality(0.5).secondsToQuality());
    assertEquals(20.0, run.toQuality(0.505).secondsToQuality(), "within 1% counts");
    assertEquals(30.0, run.toQuality(0.52).secondsToQuality());
    assertEquals(10.0, run.toQuality(0.1).secondsToQuality());
    assertTrue(Double.isInfinite(run.toQuality(0.7).secondsToQuality()), "never reached");
    assertTrue(Double.isNaN(curve().toQuality(0.5).secondsToQuality()), "no curve, no figure");
  }

  @Test
  void thePeersRowsAreTheBatchesFeaturesSumAndClass() throws IOException {
    List<MultiDataSet> batches = SeedWorkload.batches(64, 32, new Random(3));
    Path file = dir.resolve("rows.f32");
    SeedWorkload.writeRows(batches, file.toUri().toString(), new Configuration());
    ByteBuffer rows = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(64 * 12 * 4, rows.capacity());
    for (int b = 0; b < 2; b++) {
      float[][] x = batches.get(b).getFeatures(0).toFloatMatrix();
      float[][] y2 = batches.get(b).getLabels(1).toFloatMatrix();
      for (int i = 0; i < 32; i++) {
        float sum = 0;
        for (int j = 0; j < 10; j++) {
          assertEquals(x[i][j], rows.getFloat());
          sum += x[i][j];
        }
        assertEquals(sum, rows.getFloat(), 1e-5f, "y1 is the sum of the features");
        float label = rows.getFloat();
        assertEquals(1f, y2[i][(int) label], "y2's class");
      }
    }
  }
}
