package org.mtlspark.operate.report;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * A static HTML page about one run, drawn with Apache ECharts (embedded, so the page works
 * offline): the test metrics, each task's validation metric per epoch beside its baseline, the
 * training score and objective, the task weights per epoch, confusion matrices of classification
 * tasks, modality coverage and record status, the ablation, where a model with spatial fusion
 * looked in a few test images, and a comparison with another model (the promoted version) on its
 * own test metrics.
 */
public final class RunReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
  static final String TEMPLATE = "/org/mtlspark/report/report.html";

  /** The title element every report starts with: how an earlier report is recognized. */
  public static final String TITLE_TAG = "<title>mtlspark run report</title>";

  private RunReport() {}

  /**
   * Writes the report of {@code runDir} (train's and evaluate's files) to {@code out}.
   *
   * @param compareDir a model folder (a registry version) to compare with, or null
   * @param compareLabel its name in the report
   */
  public static void write(
      Configuration hadoop, String runDir, String compareDir, String compareLabel, String out)
      throws IOException {
    String html =
        resource(TEMPLATE)
            .replace("/*ECHARTS*/", resource(ECHARTS).replace("</script", "<\\/script"))
            .replace(
                "/*DATA*/",
                scriptSafe(
                    JSON.writeValueAsString(data(hadoop, runDir, compareDir, compareLabel))));
    HadoopFiles.writeString(hadoop, out, html);
  }

  /**
   * {@code json} made safe to embed in a script element: the characters that could end the element
   * ({@code </script>}), open an HTML comment ({@code <!--}) that hides the rest of the page, or
   * end a JavaScript line (U+2028, U+2029) become JSON escapes. Outside strings JSON holds none of
   * them, so the value read back is the same.
   */
  static String scriptSafe(String json) {
    StringBuilder sb = new StringBuilder(json.length() + 16);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<', '>', '&', '\u2028', '\u2029' -> sb.append(String.format("\\u%04x", (int) c));
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }

  static Map<String, Object> data(
      Configuration hadoop, String runDir, String compareDir, String compareLabel)
      throws IOException {
    for (String f : List.of(RunFolder.TRAINING_FILE, RunFolder.METRICS_FILE, "manifest.json")) {
      if (!HadoopFiles.exists(hadoop, runDir + "/" + f)) {
        throw new IOException(
            "no " + f + " in " + runDir + ": report needs a run that was trained and evaluated");
      }
    }
    JsonNode training =
        JSON.readTree(HadoopFiles.readString(hadoop, runDir + "/" + RunFolder.TRAINING_FILE));
    JsonNode history =
        HadoopFiles.exists(hadoop, runDir + "/" + RunFolder.HISTORY_FILE)
            ? JSON.readTree(HadoopFiles.readString(hadoop, runDir + "/" + RunFolder.HISTORY_FILE))
            : training.get("epochs");
    JsonNode test =
        JSON.readTree(HadoopFiles.readString(hadoop, runDir + "/" + RunFolder.METRICS_FILE));
    JsonNode other =
        compareDir == null
            ? null
            : JSON.readTree(
                HadoopFiles.readString(hadoop, compareDir + "/" + RunFolder.METRICS_FILE));
    Manifest manifest = Manifest.read(hadoop, runDir);

    Map<String, Object> d = new LinkedHashMap<>();
    d.put("run", runDir);
    List<Integer> epochs = new ArrayList<>();
    List<Double> score = new ArrayList<>();
    List<Double> objective = new ArrayList<>();
    Map<String, List<Double>> weights = new LinkedHashMap<>();
    for (JsonNode e : history) {
      epochs.add(e.get("epoch").asInt());
      score.add(e.get("score").asDouble());
      objective.add(e.get("validationObjective").asDouble());
      if (e.has("taskWeights")) {
        e.get("taskWeights")
            .fields()
            .forEachRemaining(
                w ->
                    weights
                        .computeIfAbsent(w.getKey(), k -> new ArrayList<>())
                        .add(w.getValue().asDouble()));
      }
    }
    d.put(
        "summary",
        String.format(
            "%d epochs, best %d (objective %.4f)%s; %d test examples; trained on %s",
            epochs.size(),
            training.get("bestEpoch").asInt(),
            training.get("bestObjective").asDouble(),
            training.get("stoppedEarly").asBoolean() ? ", stopped early" : "",
            test.get("examples").asLong(),
            training.get("prep").asText()));
    d.put("epochs", epochs);
    d.put("score", score);
    d.put("objective", objective);
    d.put("weights", weights);

    List<Map<String, Object>> tasks = new ArrayList<>();
    test.get("tasks")
        .fields()
        .forEachRemaining(
            entry -> {
              JsonNode m = entry.getValue();
              String metric = m.get("primaryMetric").asText();
              Map<String, Object> t = new LinkedHashMap<>();
              t.put("name", entry.getKey());
              t.put("type", m.get("type").asText().toLowerCase());
              t.put("metric", metric);
              t.put("test", m.get("metrics").get(metric).asDouble());
              t.put("testBaseline", m.get("baseline").get(metric).asDouble());
              List<Double> curve = new ArrayList<>();
              double baseline = Double.NaN;
              for (JsonNode e : history) {
                for (JsonNode v : e.get("validation")) {
                  if (v.get("task").asText().equals(entry.getKey())) {
                    curve.add(v.get("metrics").get(metric).asDouble());
                    baseline = v.get("baseline").get(metric).asDouble();
                  }
                }
              }
              t.put("validation", curve);
              t.put("baseline", baseline);
              if (m.hasNonNull("confusion")) {
                t.put("classes", JSON.convertValue(m.get("classes"), List.class));
                t.put("confusion", JSON.convertValue(m.get("confusion"), List.class));
              }
              JsonNode o = other == null ? null : other.get("tasks").get(entry.getKey());
              t.put("promoted", o == null ? null : o.get("metrics").get(metric).asDouble());
              tasks.add(t);
            });
    d.put("tasks", tasks);

    Manifest.Counts counts = manifest.counts();
    Map<String, Object> coverage = new LinkedHashMap<>();
    coverage.put("records", counts.records());
    Map<String, Double> present = new LinkedHashMap<>();
    long usable = counts.recordStatus().getOrDefault("usable", 0L);
    counts
        .modalityPresent()
        .forEach((m, n) -> present.put(m, Math.round(1000.0 * n / Math.max(1, usable)) / 10.0));
    coverage.put("modalities", present);
    coverage.put("status", counts.recordStatus());
    d.put("coverage", coverage);
    d.put("ablation", JSON.convertValue(test.get("ablation"), Map.class));
    d.put(
        "attention",
        test.hasNonNull("attention")
            ? JSON.convertValue(test.get("attention"), List.class)
            : List.of());
    d.put(
        "promoted",
        compareDir == null
            ? null
            : Map.of("label", compareLabel == null ? compareDir : compareLabel));
    return d;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RunReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("missing resource " + name + " (is the build complete?)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
