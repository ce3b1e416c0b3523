package org.mtlspark.driver;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.score.RetrieveJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.workers.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "retrieve",
    mixinStandardHelpOptions = true,
    description =
        "Find the keys whose image (or text) is nearest a query text (or image file) under a model with"
            + " a retrieval task: the query is embedded by the model, compared with every embedding"
            + " that `score` wrote into --scored, and the top --k keys are printed with their cosine"
            + " similarity, best first. Writes nothing.")
final class RetrieveCommand extends MtlCommand.SparkCommand {
  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR",
      description = "A run folder of `train` (or a registry version) with a retrieval task.")
  String model;

  @Option(
      names = "--scored",
      required = true,
      paramLabel = "DIR",
      description = "The output folder of `score` with the same model: the candidates' embeddings.")
  String scored;

  @Option(
      names = "--task",
      paramLabel = "NAME",
      description = "The retrieval task (default: the model's only one).")
  String task;

  @Option(names = "--text", paramLabel = "TEXT", description = "A query text.")
  String text;

  @Option(
      names = "--image",
      paramLabel = "FILE",
      description = "A query image file (PNG, JPEG, GIF or BMP).")
  String image;

  @Option(
      names = "--k",
      defaultValue = "10",
      paramLabel = "K",
      description = "How many keys to return (default: ${DEFAULT-VALUE}).")
  int k;

  @Override
  protected void validate(MtlConfig config) {
    if ((text == null) == (image == null)) {
      throw new CommandException(ExitCodes.USAGE, "give one query: --text TEXT or --image FILE");
    }
    if (k < 1) {
      throw new CommandException(ExitCodes.USAGE, "--k must be >= 1, was " + k);
    }
  }

  @Override
  protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {
    for (String file : List.of(RunFolder.MODEL_FILE, Manifest.FILE_NAME, RunFolder.CONFIG_FILE)) {
      require(hadoop, "--model", model, file, "a run folder of train or a registry version");
    }
    require(hadoop, "--scored", scored, null, null);
    if (image != null) {
      require(hadoop, "--image", image, null, null);
    }
  }

  @Override
  protected int run(MtlConfig config, SparkSession spark) throws IOException {
    RetrieveJob.Query query;
    if (text != null) {
      query = RetrieveJob.Query.text(text);
    } else {
      Path path = new Path(image);
      Configuration hadoop = spark.sparkContext().hadoopConfiguration();
      long size = path.getFileSystem(hadoop).getFileStatus(path).getLen();
      if (size > config.prep().image().maxBytes()) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--image "
                + image
                + " has "
                + size
                + " bytes, more than prep.image.maxBytes ("
                + config.prep().image().maxBytes()
                + ")");
      }
      try (InputStream in = path.getFileSystem(hadoop).open(path)) {
        query = RetrieveJob.Query.image(in.readAllBytes(), image);
      }
    }
    RetrieveJob.Result r;
    try {
      r = new RetrieveJob(spark).run(model, scored, task, query, k);
    } catch (RetrieveJob.RetrieveException e) {
      throw new CommandException(ExitCodes.USAGE, e.getMessage());
    }
    if (!r.unknownWords().isEmpty()) {
      System.err.println(
          "note: words outside the model's vocabulary (unseen or too rare in training): "
              + String.join(", ", r.unknownWords()));
    }
    System.out.println(
        "nearest "
            + r.candidateSide()
            + " to the "
            + query.describe()
            + " (task "
            + r.task()
            + ", "
            + r.candidates()
            + " candidates in "
            + scored
            + "):");
    System.out.println(
        String.format("%4s  %-32s %8s", "rank", String.join(",", r.keyColumns()), "cosine"));
    for (int i = 0; i < r.hits().size(); i++) {
      RetrieveJob.Hit h = r.hits().get(i);
      // The key's columns joined by commas, as the header names them.
      String key = String.join(",", Keys.split(h.key()));
      System.out.println(String.format("%4d  %-32s %8.4f", i + 1, key, h.score()));
    }
    return ExitCodes.OK;
  }
}
