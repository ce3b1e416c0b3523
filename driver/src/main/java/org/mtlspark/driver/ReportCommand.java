package org.mtlspark.driver;

import java.io.IOException;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.workers.registry.ModelRegistry;
import org.mtlspark.workers.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The HTML report of a run, without Spark. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Write a static HTML page about a trained and evaluated run: test metrics, learning curves, task "
        + "weights, confusion matrices, modality coverage, the ablation, and a comparison with the promoted model "
        + "(--registry and --name) or another model folder (--compare).")
final class ReportCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run folder (train, then evaluate).")
  String run;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The HTML file to write.")
  String out;

  @Option(names = "--registry", paramLabel = "URI", description = "Compare with this registry's promoted version.")
  String registry;

  @Option(names = "--name", paramLabel = "NAME", description = "The registered model (with --registry).")
  String name;

  @Option(names = "--compare", paramLabel = "DIR", description = "Compare with this model folder instead.")
  String compare;

  @Override
  public Integer call() throws IOException {
    Configuration hadoop = new Configuration();
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
}
