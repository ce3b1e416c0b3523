package org.mtlspark.workers.eval;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Evaluates a trained run on one split of a prepared data set and writes {@code metrics.json} into the run. */
public final class EvaluateJob {
  private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final SparkSession spark;

  public EvaluateJob(SparkSession spark) {
    this.spark = spark;
  }

  /**
   * The content of metrics.json: every task's metrics, the ablation: per modality, every task's
   * primary metric with that modality removed from every example, and for a model with spatial
   * fusion where it looked in a few of the split's images ({@link AttentionMap}; empty otherwise).
   */
  public record Report(
      String run,
      String split,
      long examples,
      Map<String, TaskMetrics> tasks,
      Map<String, Map<String, Double>> ablation,
      List<AttentionMap> attention) {
    public Report {
      attention = attention == null ? List.of() : attention;
    }

    /** A report without attention maps. */
    public Report(
        String run,
        String split,
        long examples,
        Map<String, TaskMetrics> tasks,
        Map<String, Map<String, Double>> ablation) {
      this(run, split, examples, tasks, ablation, List.of());
    }

    public boolean allBeatBaseline() {
      return tasks.values().stream().allMatch(TaskMetrics::beatsBaseline);
    }
  }

  public Report run(String runDir, String prepDir, String split, int partitions)
      throws IOException {
    Report report = evaluate(runDir, prepDir, split, partitions);
    writeReport(spark.sparkContext().hadoopConfiguration(), runDir, report);
    return report;
  }

  /** Writes {@code report} as metrics.json into {@code dir} (created when new). */
  public static void writeReport(Configuration hadoop, String dir, Report report)
      throws IOException {
    HadoopFiles.writeString(
        hadoop, dir + "/" + RunFolder.METRICS_FILE, JSON.writeValueAsString(report));
  }

  /** As {@link #run}, without writing metrics.json (the model folder may be read-only, e.g. a registry version). */
  public Report evaluate(String runDir, String prepDir, String split, int partitions)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    Manifest trained = Manifest.read(hadoop, runDir);
    Manifest data = Manifest.read(hadoop, prepDir);
    if (!trained.featurizers().equals(data.featurizers())) {
      throw new IOException(
          "the data in "
              + prepDir
              + " was prepared with other featurizers than the model in "
              + runDir
              + " was trained on; evaluate on the prepared data set the model was trained with");
    }
    ComputationGraph graph = loadModel(hadoop, runDir);
    List<String> batches = data.batches(hadoop, prepDir, split);
    long started = System.nanoTime();
    CaptionNeighbours neighbours = neighbours(hadoop, data, prepDir);
    JobLabels.describe(spark, "evaluate", split + " split");
    List<TaskMetrics> metrics =
        TaskEvaluator.evaluate(
            JavaSparkContext.fromSparkContext(spark.sparkContext()),
            graph,
            data.featurizers().tasks(),
            batches,
            partitions,
            null,
            null,
            neighbours);
    Map<String, TaskMetrics> byTask = new LinkedHashMap<>();
    metrics.forEach(m -> byTask.put(m.task(), m));
    Map<String, Map<String, Double>> ablation = new LinkedHashMap<>();
    if (data.featurizers().modalities().size() > 1) {
      for (String modality : data.featurizers().modalities()) {
        Map<String, Double> without = new LinkedHashMap<>();
        JobLabels.describe(spark, "evaluate", split + " split without " + modality);
        for (TaskMetrics m :
            TaskEvaluator.evaluate(
                JavaSparkContext.fromSparkContext(spark.sparkContext()),
                graph,
                data.featurizers().tasks(),
                batches,
                partitions,
                data.featurizers(),
                modality)) {
          if (m.examples() > 0) {
            // A retrieval task without one of its sides has no pair: nothing to report.
            without.put(m.task(), m.metrics().get(m.primaryMetric()));
          }
        }
        ablation.put(modality, without);
      }
    }
    List<AttentionMap> attention = new java.util.ArrayList<>();
    for (int b = 0;
        b < batches.size()
            && attention.size() < AttentionMap.KEPT
            && graph.getVertex(org.mtlspark.workers.model.GraphBuilder.SPATIAL_ATTENTION) != null;
        b++) {
      attention.addAll(
          AttentionMap.of(
              graph,
              data.featurizers(),
              org.mtlspark.prep.feature.BatchFiles.read(hadoop, batches.get(b)),
              AttentionMap.KEPT - attention.size()));
    }
    Report report =
        new Report(runDir, split, data.splits().get(split).examples(), byTask, ablation, attention);
    LOG.info(
        "evaluated {} tasks on {} batches of the {} split, and with each of {} modalities removed, in {}s",
        metrics.size(),
        batches.size(),
        split,
        ablation.size(),
        String.format("%.1f", (System.nanoTime() - started) / 1e9));
    return report;
  }

  /** The metrics.json of a run. */
  public static Report readReport(Configuration hadoop, String runDir) throws IOException {
    return JSON.readValue(
        HadoopFiles.readString(hadoop, runDir + "/" + RunFolder.METRICS_FILE), Report.class);
  }

  public static ComputationGraph loadModel(Configuration hadoop, String runDir) throws IOException {
    if (!HadoopFiles.exists(hadoop, runDir + "/" + RunFolder.MODEL_FILE)) {
      throw new IOException(
          "no " + RunFolder.MODEL_FILE + " in " + runDir + ": is it the output of `train`?");
    }
    return ModelFiles.read(hadoop, runDir + "/" + RunFolder.MODEL_FILE);
  }

  /**
   * The ablation table: every task's primary metric with all modalities, then with each modality
   * removed in turn (as a record without it is encoded), and the change.
   */
  public static String ablationTable(Report report) {
    if (report.ablation().isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(String.format("%-12s %-9s %10s", "task", "metric", "all"));
    for (String modality : report.ablation().keySet()) {
      sb.append(String.format(" %20s", "without " + modality));
    }
    sb.append(String.format("%n"));
    for (TaskMetrics m : report.tasks().values()) {
      double all = m.metrics().get(m.primaryMetric());
      sb.append(String.format("%-12s %-9s %10.4f", m.task(), m.primaryMetric(), all));
      for (Map<String, Double> without : report.ablation().values()) {
        Double v = without.get(m.task());
        if (v == null) {
          // Nothing of the task is left without the modality (a token task's text, a side of
          // a retrieval task's pairs).
          sb.append(String.format(" %20s", "n/a (" + nothingLeft(m.type()) + ")"));
          continue;
        }
        sb.append(String.format(" %10.4f (%+6.1f%%)", v, 100 * (v - all) / Math.abs(all)));
      }
      sb.append(String.format("%n"));
    }
    return sb.toString();
  }

  /**
   * The nearest-training-image baseline of the caption task, if the data has one and an image: up
   * to {@link CaptionNeighbours#MOST} training records.
   */
  private static CaptionNeighbours neighbours(Configuration hadoop, Manifest data, String prepDir)
      throws IOException {
    List<org.mtlspark.prep.feature.TaskEncoding> tasks = data.featurizers().tasks();
    for (int t = 0; t < tasks.size(); t++) {
      if (tasks.get(t).caption()) {
        return CaptionNeighbours.of(
            hadoop,
            data.batches(hadoop, prepDir, "train"),
            data.featurizers(),
            t,
            CaptionNeighbours.MOST);
      }
    }
    return null;
  }

  private static String nothingLeft(TaskConfig.TaskType type) {
    return switch (type) {
      case TOKENS -> "no tokens";
      case CAPTION -> "no captions";
      case RETRIEVAL -> "no pairs";
      default -> "no examples";
    };
  }

  /** A fixed-width table of every task's primary and other metrics beside its baseline. */
  public static String table(Report report) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%-12s %-10s %8s  %-16s %10s %10s  %s%n",
            "task", "type", "examples", "metric", "model", "baseline", "beats baseline"));
    for (TaskMetrics m : report.tasks().values()) {
      boolean first = true;
      for (Map.Entry<String, Double> e : m.metrics().entrySet()) {
        sb.append(
            String.format(
                "%-12s %-10s %8s  %-16s %10.4f %10s  %s%n",
                first ? m.task() : "",
                first ? m.type().name().toLowerCase() : "",
                first ? m.examples() : "",
                e.getKey(),
                e.getValue(),
                m.baseline().containsKey(e.getKey())
                    ? String.format("%.4f", m.baseline().get(e.getKey()))
                    : "-",
                e.getKey().equals(m.primaryMetric()) ? (m.beatsBaseline() ? "yes" : "NO") : ""));
        first = false;
      }
    }
    return sb.toString();
  }
}
