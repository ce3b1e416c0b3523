package org.mtlspark.driver;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingWorkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "The whole job on built-in data: generate -> prep -> train (parameter averaging on Spark) "
            + "-> evaluate -> save, then print the per-task result table. Writes OUT/data, OUT/prep and OUT/run.")
final class DemoCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--out",
      defaultValue = "runs/demo",
      paramLabel = "DIR",
      description =
          "Folder for the demo's data, prepared batches and run (default: ${DEFAULT-VALUE}).")
  String out;

  @Option(
      names = "--rows",
      paramLabel = "N",
      description = "Records to generate (default: generate.rows).")
  Long rows;

  @Option(
      names = "--overwrite",
      description =
          "Replace OUT if it is an earlier demo's folder (it holds data and "
              + "nothing else than data, prep and run); anything else is refused.")
  boolean overwrite;

  @Override
  protected List<String> extraOverrides() {
    return rows == null ? List.of() : List.of("generate.rows=" + rows);
  }

  @Override
  List<OutputFolder> outputs(MtlConfig config) {
    return List.of(
        new OutputFolder(
            "--out",
            out,
            "demo",
            Set.of("data", "prep", "run"),
            "data",
            overwrite,
            configOptions.files));
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    Path root = new Path(out);
    String data = new Path(root, "data").toString();
    String prep = new Path(root, "prep").toString();
    String run = new Path(root, "run").toString();
    new GenerateJob(spark).run(config, data);
    Manifest manifest = new PrepJob(spark).run(config, data, prep);
    new TrainJob(spark).run(config, prep, run);
    EvaluateJob.Report report =
        new EvaluateJob(spark)
            .run(run, prep, "test", TrainingWorkers.resolve(spark, config.train()));

    System.out.println();
    System.out.println(Reports.prepSummary(manifest));
    System.out.println("Test split, every task beside its trivial baseline:");
    System.out.println(EvaluateJob.table(report));
    System.out.println(
        "Test split, every task's primary metric with each modality removed in turn:");
    System.out.println(EvaluateJob.ablationTable(report));
    System.out.println("Model, manifest, resolved configuration and metrics.json: " + run);
    if (!report.allBeatBaseline()) {
      System.out.println("A task does not beat its baseline.");
      return ExitCodes.BELOW_BASELINE;
    }
    return ExitCodes.OK;
  }
}
