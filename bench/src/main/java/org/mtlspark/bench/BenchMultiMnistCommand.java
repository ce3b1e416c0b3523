package org.mtlspark.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.bench.quality.DeltaM;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.driver.CommandException;
import org.mtlspark.driver.ExitCodes;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.eval.TaskMetrics;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * MultiMNIST and Multi-Fashion: single-task models, one shared model with static equal task weights
 * and shared models with dynamic weighting, each trained and evaluated by the same code on the same
 * data, beside the figures Sener and Koltun (NeurIPS 2018) publish for MultiMNIST; each with its
 * Delta-m against the single-task models (ours against ours, the paper's against the paper's).
 */
@Command(
    name = "multimnist",
    mixinStandardHelpOptions = true,
    description =
        "MultiMNIST and Multi-Fashion (with --config conf/examples/multimnist.yaml): builds each data set "
            + "from the IDX files in the folders given, then trains and evaluates a single-task model per task, a shared "
            + "model with static equal weights, and one shared model per dynamic weighting; prints the test accuracy of "
            + "the left and right items beside the published MultiMNIST figures.")
final class BenchMultiMnistCommand extends BenchCommand.Base {
  @Override
  String name() {
    return "multimnist";
  }

  /**
   * Sener and Koltun, "Multi-Task Learning as Multi-Objective Optimization", NeurIPS 2018, MultiMNIST
   * table: test accuracy (%) of the left and right digit.
   */
  static final List<Published> PUBLISHED =
      List.of(
          new Published("single task", "single-task", 97.23, 95.90),
          new Published("uniform scaling", "static", 96.46, 94.99),
          new Published("Kendall et al. 2018", "uncertainty", 96.47, 95.29),
          new Published("GradNorm", "gradnorm", 96.27, 94.84),
          new Published("MGDA-UB", "mgda_ub", 97.26, 95.90));

  /** A published row: the paper's method, the model of ours closest to it (or none), its accuracies. */
  record Published(String method, String ours, double left, double right) {}

  @Option(
      names = "--mnist",
      paramLabel = "DIR",
      description = "MNIST's IDX files: builds MultiMNIST.")
  String mnist;

  @Option(
      names = "--fashion",
      paramLabel = "DIR",
      description = "Fashion-MNIST's IDX files: builds Multi-Fashion.")
  String fashion;

  @Option(
      names = "--weightings",
      split = ",",
      defaultValue = "uncertainty",
      paramLabel = "NAME",
      description =
          "Task weightings compared with static equal weights: any of dwa, inverse_loss, "
              + "uncertainty, gradnorm, pcgrad, mgda, mgda_ub (default: ${DEFAULT-VALUE}).")
  List<TrainConfig.Weighting> weightings;

  @Override
  protected void validate(MtlConfig config) {
    if (config.data().sources().stream()
        .noneMatch(s -> s.format() == SourceConfig.Format.MULTIMNIST)) {
      throw new CommandException(
          ExitCodes.USAGE,
          "bench multimnist needs a multimnist source: "
              + "--config conf/examples/multimnist.yaml");
    }
    if (mnist == null && fashion == null) {
      throw new CommandException(ExitCodes.USAGE, "give --mnist DIR and/or --fashion DIR");
    }
    for (TrainConfig.Weighting w : weightings) {
      if (w.perStep() && config.train().engine() != TrainConfig.Engine.RESIDENT) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--weightings: "
                + w.configName()
                + " needs train.engine: resident (it acts at every step)");
      }
    }
    if (weightings.contains(TrainConfig.Weighting.STATIC)) {
      throw new CommandException(
          ExitCodes.USAGE, "--weightings: static is always trained; name dynamic ones");
    }
    for (TrainConfig.Weighting w : weightings) {
      List<String> problems = withWeighting(config, w).problems();
      if (!problems.isEmpty()) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--weightings: "
                + w.configName()
                + " cannot train this configuration: "
                + String.join("; ", problems));
      }
    }
  }

  /** {@code config} with the shared model's task weighting {@code w}. */
  private static MtlConfig withWeighting(MtlConfig config, TrainConfig.Weighting w) {
    return config.withTrain(config.train().withWeighting(w));
  }

  @Override
  List<String> inputs() {
    return java.util.Arrays.asList(mnist, fashion);
  }

  @Override
  protected void checkInputs(MtlConfig config, org.apache.hadoop.conf.Configuration hadoop)
      throws IOException {
    if (mnist != null) {
      require(hadoop, "--mnist", mnist, null, null);
    }
    if (fashion != null) {
      require(hadoop, "--fashion", fashion, null, null);
    }
    super.checkInputs(config, hadoop);
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    BenchCommand.clearScratch(spark, work());
    List<BenchResults.Table> tables = new ArrayList<>();
    Map<String, Object> details = new LinkedHashMap<>();
    StringBuilder printed = new StringBuilder();
    if (mnist != null) {
      Map<String, Map<String, TaskMetrics>> r = models(config, spark, "multimnist", mnist);
      details.put("multimnist", r);
      tables.add(table("MultiMNIST", r, true));
    }
    if (fashion != null) {
      Map<String, Map<String, TaskMetrics>> r = models(config, spark, "multifashion", fashion);
      details.put("multifashion", r);
      tables.add(table("Multi-Fashion", r, false));
    }
    tables.forEach(t -> printed.append(BenchSummaryCommand.text(t)));
    System.out.println(printed);
    if (out != null) {
      BenchResults.of(
              spark,
              "MultiMNIST and Multi-Fashion",
              "per task, a model trained on that task alone, and the most frequent class; and the published MultiMNIST "
                  + "figures",
              tables,
              List.of(
                  "Ours: "
                      + config.train().epochs()
                      + " epochs, "
                      + TrainingWorkers.resolve(spark, config.train())
                      + " parameter-averaging "
                      + "workers, the network of the configuration named "
                      + config.run().name()
                      + "; the authors' code: 100 epochs, their LeNet (conf/examples/"
                      + "multimnist-paper.yaml).",
                  "uncertainty is Kendall et al.'s learned log-variances; mgda_ub is MGDA-UB (the least-norm "
                      + "combination of the tasks' gradients at the shared representation); mgda takes it "
                      + "over the shared parameters' gradients instead.",
                  "Sener and Koltun publish no Multi-Fashion figures."),
              details)
          .write(spark, out);
    }
    return ExitCodes.OK;
  }

  /** Trains and evaluates every model on one data set; test metrics by model, then by task. */
  private Map<String, Map<String, TaskMetrics>> models(
      MtlConfig config, SparkSession spark, String name, String raw) throws IOException {
    String base = work() + "/" + name;
    Map<String, Map<String, TaskMetrics>> byModel = new LinkedHashMap<>();
    Map<String, TaskMetrics> single = new LinkedHashMap<>();
    for (TaskConfig task : config.tasks()) {
      MtlConfig alone =
          config
              .withTasks(List.of(task))
              .withTrain(config.train().withWeighting(TrainConfig.Weighting.STATIC));
      String prep = base + "/prep-" + task.name();
      new PrepJob(spark).run(alone, raw, prep);
      single.put(
          task.name(),
          trainAndEvaluate(spark, alone, prep, base + "/run-" + task.name()).get(task.name()));
    }
    byModel.put("single-task", single);
    String prep = base + "/prep";
    new PrepJob(spark).run(config, raw, prep);
    List<TrainConfig.Weighting> all = new ArrayList<>(List.of(TrainConfig.Weighting.STATIC));
    all.addAll(weightings);
    for (TrainConfig.Weighting w : all) {
      MtlConfig shared = withWeighting(config, w);
      String id = w.name().toLowerCase();
      byModel.put(id, trainAndEvaluate(spark, shared, prep, base + "/run-" + id));
    }
    return byModel;
  }

  private static Map<String, TaskMetrics> trainAndEvaluate(
      SparkSession spark, MtlConfig config, String prep, String run) throws IOException {
    new TrainJob(spark).run(config, prep, run);
    return new EvaluateJob(spark)
        .run(run, prep, "test", TrainingWorkers.resolve(spark, config.train()))
        .tasks();
  }

  /** Our accuracies per model beside the published ones (MultiMNIST only), in percent. */
  static BenchResults.Table table(
      String data, Map<String, Map<String, TaskMetrics>> byModel, boolean published) {
    BenchResults.Table t =
        new BenchResults.Table(
            data + ": test accuracy (%) of the left and right item",
            "model",
            "left",
            "right",
            "paper method",
            "paper left",
            "paper right",
            "Delta-m %",
            "paper Delta-m %");
    TaskMetrics anyLeft = byModel.get("single-task").get("left");
    TaskMetrics anyRight = byModel.get("single-task").get("right");
    t.row(
        "most frequent class",
        pct(anyLeft.baseline().get("accuracy")),
        pct(anyRight.baseline().get("accuracy")),
        "",
        "",
        "",
        "",
        "");
    Map<String, Double> single = accuracies(byModel.get("single-task"));
    for (var e : byModel.entrySet()) {
      Published p =
          published
              ? PUBLISHED.stream().filter(x -> e.getKey().equals(x.ours())).findFirst().orElse(null)
              : null;
      String model =
          e.getKey().equals("single-task") ? "single-task" : "shared, " + e.getKey() + " weights";
      t.row(
          model,
          pct(e.getValue().get("left").metrics().get("accuracy")),
          pct(e.getValue().get("right").metrics().get("accuracy")),
          p == null ? "" : p.method(),
          p == null ? "" : p.left(),
          p == null ? "" : p.right(),
          pct(DeltaM.of(BOTH, single, accuracies(e.getValue()))),
          p == null ? "" : paperDeltaM(p));
    }
    if (published) {
      PUBLISHED.stream()
          .filter(p -> p.ours() == null || !byModel.containsKey(p.ours()))
          .forEach(p -> t.row("", "", "", p.method(), p.left(), p.right(), "", paperDeltaM(p)));
    }
    return t;
  }

  /** Both items' metric, for {@link DeltaM}. */
  private static final Map<String, String> BOTH = Map.of("left", "accuracy", "right", "accuracy");

  private static Map<String, Double> accuracies(Map<String, TaskMetrics> model) {
    return Map.of(
        "left", model.get("left").metrics().get("accuracy"),
        "right", model.get("right").metrics().get("accuracy"));
  }

  /** A published method's Delta-m against the paper's own single-task figures, in percent. */
  static double paperDeltaM(Published p) {
    Published single = PUBLISHED.get(0);
    return pct(
        DeltaM.of(
            BOTH,
            Map.of("left", single.left(), "right", single.right()),
            Map.of("left", p.left(), "right", p.right())));
  }

  private static double pct(double x) {
    return BenchCommand.round(100 * x, 2);
  }
}
