package org.mtlspark.driver;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.run.EncoderFiles;
import org.mtlspark.workers.run.RunFolder;
import org.mtlspark.workers.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train the multi-task graph with parameter averaging on Spark; write model.zip, "
            + "manifest.json, config.yaml and training.json into the run folder.")
final class TrainCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--prep",
      required = true,
      paramLabel = "DIR",
      description = "Output folder of `prep`.")
  String prep;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Run folder for the model and its files.")
  String out;

  /**
   * The prepared data must be there; the run folder may be new, or an interrupted run to resume
   * (it holds the manifest and checkpoints train writes first), but neither a finished run nor a
   * folder train did not write.
   */
  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    require(hadoop, "--prep", prep, Manifest.FILE_NAME, "an output folder of prep");
    List<String> found = OutputFolder.resumableEntries(hadoop, out, prep, "run folder");
    // A run resuming from its checkpoint does not read the other model again.
    if (config.train().pretrained().hasSource() && !found.contains(RunFolder.CHECKPOINTS)) {
      require(
          hadoop,
          "train.pretrained.from",
          config.train().pretrained().from(),
          RunFolder.MODEL_FILE,
          "a run folder of train or a registry version");
    }
    if (found.contains(RunFolder.MODEL_FILE)) {
      throw new CommandException(
          ExitCodes.USAGE,
          "the run "
              + out
              + " is already complete (it holds "
              + RunFolder.MODEL_FILE
              + "); choose another --out");
    }
    if (!found.isEmpty() && !found.contains(Manifest.FILE_NAME)) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--out "
              + out
              + " exists and is not a run folder of train "
              + "(no "
              + Manifest.FILE_NAME
              + "; it holds "
              + String.join(", ", found.subList(0, Math.min(5, found.size())))
              + (found.size() > 5 ? " and " + (found.size() - 5) + " more" : "")
              + "); choose another --out");
    }
    if (config.train().pretrained().image().given() && !found.contains(RunFolder.CHECKPOINTS)) {
      // One line naming the file and the problem, as for every input checked here. Reading the
      // encoder refuses everything it would refuse in training (which reads it again); a missing
      // file is named before the manifest is read.
      try {
        EncoderFiles.checkExists(hadoop, config.train().pretrained().image());
        EncoderFiles.read(
            hadoop,
            config.train().pretrained().image(),
            Manifest.read(hadoop, prep).featurizers(),
            config.run().seed());
      } catch (ConfigException e) {
        throw new CommandException(
            ExitCodes.USAGE, e.source() + ": " + String.join("; ", e.problems()));
      }
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    new TrainJob(spark).run(config, prep, out);
    return ExitCodes.OK;
  }
}
