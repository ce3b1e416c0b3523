package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the code adds to the Spark settings a site or a submitter gave, without Spark. */
class SparkSessionsTest {
  private static final String OURS =
      "org.nd4j.kryo.Nd4jRegistrator,org.mtlspark.prep.kryo.RecordKryoRegistrator";

  @Test
  void nothingGivenAddsKryoOurRegistratorsAndOneThreadPerTask() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    expected.put("spark.kryo.registrator", OURS);
    expected.put("spark.kryoserializer.buffer.max", "512m");
    expected.put("spark.kryo.referenceTracking", "false");
    expected.put("spark.executorEnv.OMP_NUM_THREADS", "1");
    expected.put("spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxphysicalbytes=0");
    assertEquals(expected, SparkSessions.required(Map.of()));
  }

  @Test
  void executorNativeThreadsFollowTheCoresATaskTakes() {
    assertEquals(
        "2",
        SparkSessions.required(Map.of("spark.task.cpus", "2"))
            .get("spark.executorEnv.OMP_NUM_THREADS"));
  }

  @Test
  void executorOptionsGetNoPhysicalMemoryCheckUnlessTheySetOne() {
    assertEquals(
        "-XX:+UseG1GC -Dorg.bytedeco.javacpp.maxphysicalbytes=0",
        SparkSessions.required(Map.of("spark.executor.extraJavaOptions", "-XX:+UseG1GC "))
            .get("spark.executor.extraJavaOptions"));
    assertEquals(
        null,
        SparkSessions.required(
                Map.of(
                    "spark.executor.extraJavaOptions",
                    "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G"))
            .get("spark.executor.extraJavaOptions"));
  }

  @Test
  void aSiteRegistratorIsKeptFirstAndOursAppended() {
    assertEquals(
        "com.site.SiteRegistrator," + OURS,
        SparkSessions.mergeRegistrators("com.site.SiteRegistrator"));
    assertEquals("a.One,b.Two," + OURS, SparkSessions.mergeRegistrators(" a.One , ,b.Two,"));
  }

  @Test
  void registratorsAlreadyListedAreNotRepeatedAndKeepTheirPlace() {
    String given = "org.mtlspark.prep.kryo.RecordKryoRegistrator,com.site.R";
    assertEquals(given + ",org.nd4j.kryo.Nd4jRegistrator", SparkSessions.mergeRegistrators(given));
    assertEquals(OURS, SparkSessions.mergeRegistrators(OURS));
    assertEquals(OURS, SparkSessions.mergeRegistrators(null));
  }

  @Test
  void givenSettingsAreNeverReplaced() {
    Map<String, String> given =
        Map.of(
            "spark.serializer", "org.apache.spark.serializer.JavaSerializer",
            "spark.kryo.registrator", OURS,
            "spark.kryoserializer.buffer.max", "1g",
            "spark.kryo.referenceTracking", "true",
            "spark.executorEnv.OMP_NUM_THREADS", "4",
            "spark.executor.extraJavaOptions", "-Dorg.bytedeco.javacpp.maxphysicalbytes=8G");
    assertEquals(Map.of(), SparkSessions.required(given));
  }

  @Test
  void aSiteRegistratorGetsOursAppendedAndNothingElseGivenChanges() {
    Map<String, String> given =
        Map.of(
            "spark.serializer", "org.apache.spark.serializer.KryoSerializer",
            "spark.kryo.registrator", "com.site.SiteRegistrator",
            "spark.kryoserializer.buffer.max", "256m");
    Map<String, String> added = SparkSessions.required(given);
    assertEquals("com.site.SiteRegistrator," + OURS, added.get("spark.kryo.registrator"));
    assertEquals(null, added.get("spark.serializer"));
    assertEquals(null, added.get("spark.kryoserializer.buffer.max"));
    assertEquals("false", added.get("spark.kryo.referenceTracking"));
  }
}
