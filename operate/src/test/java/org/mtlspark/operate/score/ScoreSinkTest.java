package org.mtlspark.operate.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What names a model in the rows it scores, and which key types a sink keeps; without Spark. */
class ScoreSinkTest {
  @TempDir Path dir;

  @Test
  void aRegistryVersionIsNamedByItsNameAndVersionARunByItsFolder() throws IOException {
    Configuration hadoop = new Configuration();
    Path version = Files.createDirectories(dir.resolve("registry/events/versions/v3"));
    Files.writeString(
        version.resolve("version.json"), "{\"name\": \"events\", \"version\": \"v3\"}");
    assertEquals("events@v3", ScoreJob.modelVersion(hadoop, version.toString()));
    Path run = Files.createDirectories(dir.resolve("nightly:2026=12?01"));
    assertEquals("nightly_2026_12_01", ScoreJob.modelVersion(hadoop, run.toString()));
  }

  @Test
  void keysKeepANumberOrBooleanTypeOfTheFirstSourceThatHasThem() {
    StructType a =
        new StructType()
            .add("user", DataTypes.LongType)
            .add("day", DataTypes.DateType)
            .add("x", DataTypes.DoubleType);
    StructType b =
        new StructType().add("user", DataTypes.StringType).add("flag", DataTypes.BooleanType);
    assertEquals(
        Map.of("user", DataTypes.LongType, "flag", DataTypes.BooleanType),
        ScoreSink.keyTypes(List.of("user", "day", "flag"), List.of(a, b)));
  }

  @Test
  void aSinkIsATableOrAPath() {
    assertThrows(IllegalArgumentException.class, () -> new ScoreSink(null, null, List.of(), false));
    assertThrows(IllegalArgumentException.class, () -> new ScoreSink("t", "p", List.of(), false));
    assertEquals(
        "path /s (overwrite, partitioned by [model_version])",
        new ScoreSink(null, "/s", List.of("model_version"), true).describe());
  }
}
