package org.mtlspark.driver;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepException;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code mtl} command line. Every subcommand loads and validates the configuration before it
 * starts Spark, and ends with an exit code from {@link ExitCodes}.
 */
@Command(name = "mtl", mixinStandardHelpOptions = true, version = "mtlspark 0.1.0",
    description = "Distributed multi-task, multimodal deep learning on Apache Spark.",
    subcommands = {GenerateCommand.class, PrepCommand.class, TrainCommand.class, EvaluateCommand.class,
        ScoreCommand.class, RegistryCommand.class, RetrainCommand.class, ReportCommand.class, DemoCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done", "1:unexpected failure (see the log)", "2:bad command line or configuration (nothing started)",
        "3:input data unusable as configured", "4:a task does not beat its trivial baseline",
        "5:training diverged (NaN or infinite score)",
        "10:retrain registered a new version but did not promote it (the reason is printed)",
        "11:the model registry refused: locked by another retrain, unknown or damaged version, bad name"})
public final class MtlCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command: generate, prep, train, evaluate, score, registry, retrain, report, demo, bench");
  }

  public static void main(String[] args) throws org.apache.spark.SparkUserAppException {
    int code = execute(args);
    if ("cluster".equals(System.getProperty("spark.submit.deployMode"))) {
      // The driver runs inside the cluster (a YARN application master, a Kubernetes driver pod):
      // System.exit there ends it before Spark reports the application's final status. Return,
      // or fail with the exit code, and let Spark report it.
      if (code != ExitCodes.OK) {
        throw new org.apache.spark.SparkUserAppException(code);
      }
      return;
    }
    System.exit(code);
  }

  /** Runs the command line and returns its exit code (does not exit). */
  public static int execute(String... args) {
    CommandLine cli = new CommandLine(new MtlCommand());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      PrintWriter err = commandLine.getErr();
      if (e instanceof ConfigException) {
        err.println(e.getMessage());
        return ExitCodes.USAGE;
      }
      if (e instanceof CommandException ce) {
        err.println("error: " + ce.getMessage());
        return ce.exitCode();
      }
      if (e instanceof TrainingDivergedException) {
        err.println("error: " + e.getMessage());
        return ExitCodes.DIVERGED;
      }
      if (e instanceof TrainJob.RunCompleteException) {
        err.println("error: " + e.getMessage());
        return ExitCodes.USAGE;
      }
      if (e instanceof org.mtlspark.workers.registry.RegistryException) {
        err.println("error: " + e.getMessage());
        return ExitCodes.REGISTRY;
      }
      if (e instanceof PrepException) {
        err.println("error: " + e.getMessage());
        return ExitCodes.BAD_INPUT;
      }
      err.println("error: " + e);
      e.printStackTrace(err);
      return ExitCodes.FAILED;
    });
    return cli.execute(args);
  }

  /** Options every subcommand takes: configuration files and overrides. */
  static class ConfigOptions {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
        description = "Experiment YAML overriding conf/defaults.yaml; repeatable, later files win.")
    List<String> files = new ArrayList<>();

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Override one key, e.g. --set train.epochs=3; repeatable, applied last.")
    List<String> overrides = new ArrayList<>();

    MtlConfig load() {
      return ConfigLoader.load(files, overrides);
    }
  }

  /** Base of the subcommands: loads the configuration, then runs with a SparkSession. */
  abstract static class SparkCommand implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions configOptions = new ConfigOptions();

    @Override
    public final Integer call() throws Exception {
      configOptions.overrides.addAll(extraOverrides());
      MtlConfig config = configOptions.load();
      validate(config);
      SparkSession spark = SparkSessions.create("mtl " + getClass().getSimpleName().replace("Command", "").toLowerCase());
      try {
        return run(config, spark);
      } finally {
        spark.stop();
      }
    }

    /** Overrides implied by this command's own options, applied after --set. */
    List<String> extraOverrides() {
      return List.of();
    }

    /** Checks options against the configuration before Spark starts. */
    void validate(MtlConfig config) {}

    abstract int run(MtlConfig config, SparkSession spark) throws IOException;
  }
}
