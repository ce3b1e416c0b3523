package org.mtlspark.driver;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.report.RunReport;
import org.mtlspark.prep.io.HadoopFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The HTML report of a run, without Spark. */
@Command(
    name = "report",
    mixinStandardHelpOptions = true,
    description =
        "Write a static HTML page about a trained and evaluated run: test metrics, learning curves, task "
            + "weights, confusion matrices, modality coverage, the ablation, spatial attention maps, and a comparison with the promoted model "
            + "(--registry and --name) or another model folder (--compare).")
final class ReportCommand implements Callable<Integer> {
  @Option(
      names = "--run",
      required = true,
      paramLabel = "DIR",
      description = "A run folder (train, then evaluate).")
  String run;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The HTML file to write (new).")
  String out;

  @Option(
      names = "--overwrite",
      description = "Replace FILE if it is an earlier report; anything else is refused.")
  boolean overwrite;

  @Option(
      names = "--registry",
      paramLabel = "URI",
      description = "Compare with this registry's promoted version.")
  String registry;

  @Option(
      names = "--name",
      paramLabel = "NAME",
      description = "The registered model (with --registry).")
  String name;

  @Option(
      names = "--compare",
      paramLabel = "DIR",
      description = "Compare with this model folder instead.")
  String compare;

  @Override
  public Integer call() throws IOException {
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    checkOut(hadoop);
    if (!HadoopFiles.exists(hadoop, run)) {
      throw new CommandException(ExitCodes.USAGE, "--run " + run + " does not exist");
    }
    String other = compare;
    String label = compare;
    if (registry != null) {
      if (name == null) {
        throw new CommandException(ExitCodes.USAGE, "--registry needs --name");
      }
      ModelRegistry r = new ModelRegistry(hadoop, registry);
      var promoted = r.promoted(name);
      if (promoted.isPresent()) {
        other = r.resolve(name, null);
        label = name + " " + promoted.get() + " (promoted)";
      }
    }
    RunReport.write(hadoop, run, other, label, out);
    System.out.println("report: " + out);
    return ExitCodes.OK;
  }

  /** A new file, or with --overwrite an earlier report (its first kilobytes carry the report's title). */
  private void checkOut(Configuration hadoop) throws IOException {
    OutputFolder.checkPlace(hadoop, "--out", out);
    Path target = new Path(out);
    FileSystem fs = target.getFileSystem(hadoop);
    if (!fs.exists(target)) {
      return;
    }
    if (fs.getFileStatus(target).isDirectory()) {
      throw new CommandException(
          ExitCodes.USAGE, "--out " + out + " is a folder; name the HTML file to write");
    }
    if (!overwrite) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--out "
              + out
              + " already exists; choose another --out or pass "
              + "--overwrite to replace an earlier report");
    }
    byte[] head = new byte[4096];
    int n;
    try (InputStream in = fs.open(target)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (!new String(head, 0, n, StandardCharsets.UTF_8).contains(RunReport.TITLE_TAG)) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--overwrite refuses "
              + out
              + ": it is not a report of mtl report "
              + "(no "
              + RunReport.TITLE_TAG
              + " at its start)");
    }
  }
}
