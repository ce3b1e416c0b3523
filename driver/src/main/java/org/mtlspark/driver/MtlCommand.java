package org.mtlspark.driver;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.operate.registry.RegistryException;
import org.mtlspark.operate.registry.RetrainJob;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.source.PrepException;
import org.mtlspark.workers.train.TrainJob;
import org.mtlspark.workers.train.TrainingDivergedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code mtl} command line. Every subcommand loads and validates the configuration before it
 * starts Spark, and ends with an exit code from {@link ExitCodes}.
 */
@Command(
    name = "mtl",
    mixinStandardHelpOptions = true,
    version = "mtlspark 0.1.0",
    description = "Distributed multi-task, multimodal deep learning on Apache Spark.",
    subcommands = {
      GenerateCommand.class,
      PrepCommand.class,
      EmbedCommand.class,
      TrainCommand.class,
      EvaluateCommand.class,
      ScoreCommand.class,
      RetrieveCommand.class,
      RegistryCommand.class,
      RetrainCommand.class,
      ReportCommand.class,
      TuneCommand.class,
      DemoCommand.class,
      CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:unexpected failure (see the log)",
      "2:bad command line or configuration (nothing started)",
      "3:input data unusable as configured",
      "4:a task does not beat its trivial baseline",
      "5:training diverged (NaN or infinite score)",
      "10:retrain registered a new version but did not promote it (the reason is printed)",
      "11:the model registry refused: locked by another retrain, unknown or damaged version, bad name"
    })
public final class MtlCommand implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(MtlCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "name a command: generate, prep, train, evaluate, score, registry, retrain, report, demo");
  }

  public static void main(String[] args) throws org.apache.spark.SparkUserAppException {
    exit(execute(args));
  }

  /**
   * Ends a command-line program with {@code code}: exits the JVM, except in a driver that runs
   * inside the cluster, which returns or throws for Spark to report the code.
   */
  public static void exit(int code) throws org.apache.spark.SparkUserAppException {
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
    return execute(new MtlCommand(), args);
  }

  /**
   * Runs {@code command}, a picocli command built on {@link SparkCommand}, as this command line runs
   * its own: the same failures reported in one line with the same exit codes. Returns the exit code.
   */
  public static int execute(Object command, String... args) {
    CommandLine cli = new CommandLine(command);
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          Throwable known = explained(e);
          if (known == null) {
            err.println("error: " + e);
            e.printStackTrace(err);
            return ExitCodes.FAILED;
          }
          LOG.debug("{} failed: {}", commandLine.getCommandName(), known.getMessage(), e);
          err.println(
              known instanceof ConfigException
                  ? known.getMessage()
                  : "error: " + known.getMessage());
          return exitCode(known);
        });
    return cli.execute(args);
  }

  /**
   * The failure that explains {@code e}, itself or a cause (Spark wraps a failure of a task in its
   * own exception), when it is one the commands report in a line with its own exit code; null for
   * an unexpected failure.
   */
  static Throwable explained(Throwable e) {
    if (exitCode(e) != ExitCodes.FAILED) {
      return e;
    }
    // Inside another exception only the failures a Spark task may raise on purpose count: an
    // existing file met by a task, say, is not a usage error.
    for (Throwable t = e.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PrepException
          || t instanceof CommandException
          || t instanceof TrainingDivergedException
          || t instanceof RegistryException) {
        return t;
      }
    }
    return null;
  }

  /** The exit code of a failure the commands explain, {@link ExitCodes#FAILED} for any other. */
  static int exitCode(Throwable t) {
    if (t instanceof ConfigException
        || t instanceof TrainJob.RunCompleteException
        || t instanceof FileAlreadyExistsException
        || t instanceof RetrainJob.WorkFolderException) {
      return ExitCodes.USAGE;
    }
    if (t instanceof CommandException ce) {
      return ce.exitCode();
    }
    if (t instanceof TrainingDivergedException) {
      return ExitCodes.DIVERGED;
    }
    if (t instanceof RegistryException) {
      return ExitCodes.REGISTRY;
    }
    if (t instanceof PrepException) {
      return ExitCodes.BAD_INPUT;
    }
    return ExitCodes.FAILED;
  }

  /** Options every subcommand takes: configuration files and overrides. */
  static class ConfigOptions {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "Experiment YAML overriding conf/defaults.yaml; repeatable, later files win.")
    List<String> files = new ArrayList<>();

    @Option(
        names = "--set",
        paramLabel = "KEY=VALUE",
        description = "Override one key, e.g. --set train.epochs=3; repeatable, applied last.")
    List<String> overrides = new ArrayList<>();

    MtlConfig load() {
      return ConfigLoader.load(files, overrides);
    }
  }

  /**
   * Base of the subcommands, and of commands outside this module that run like them: loads the
   * configuration, then runs with a SparkSession.
   */
  public abstract static class SparkCommand implements Callable<Integer> {
    @CommandLine.Mixin ConfigOptions configOptions = new ConfigOptions();

    @Override
    public final Integer call() throws Exception {
      configOptions.overrides.addAll(extraOverrides());
      MtlConfig config = configOptions.load();
      validate(config);
      // A session already running in this JVM (a notebook's, an embedding program's) is used
      // and left running: only a session this command started is stopped at its end.
      java.util.Optional<SparkSession> running = SparkSessions.running();
      Configuration hadoop =
          running.isPresent()
              ? running.get().sparkContext().hadoopConfiguration()
              : SparkSessions.hadoopConfiguration();
      checkInputs(config, hadoop);
      List<OutputFolder> outputs = outputs(config);
      outputs.forEach(o -> o.check(hadoop));
      String name = "mtl " + getClass().getSimpleName().replace("Command", "").toLowerCase();
      SparkSession spark =
          running.isPresent()
              ? SparkSessions.reuse(running.get(), name)
              : SparkSessions.create(name);
      Configuration sparkHadoop = spark.sparkContext().hadoopConfiguration();
      boolean completed = false;
      try {
        for (OutputFolder o : outputs) {
          o.setAside(sparkHadoop);
        }
        int code = run(config, spark);
        completed = true;
        return code;
      } finally {
        for (OutputFolder o : outputs) {
          o.finish(sparkHadoop, completed);
        }
        if (running.isEmpty()) {
          spark.stop();
        }
      }
    }

    /** The configuration files given with --config, in order. */
    protected final List<String> configFiles() {
      return List.copyOf(configOptions.files);
    }

    /** Overrides implied by this command's own options, applied after --set. */
    protected List<String> extraOverrides() {
      return List.of();
    }

    /** Checks options against the configuration before Spark starts. */
    protected void validate(MtlConfig config) {}

    /**
     * Checks, before Spark starts, that the folders and files the command reads are there; a
     * {@link CommandException} names what is missing.
     */
    protected void checkInputs(MtlConfig config, Configuration hadoop) throws IOException {}

    /**
     * Fails with exit code 2, naming the option and the path, when {@code path} does not exist or,
     * with a {@code file}, does not hold that file ({@code what} says what the option wants).
     */
    protected static void require(
        Configuration hadoop, String option, String path, String file, String what)
        throws IOException {
      if (!HadoopFiles.exists(hadoop, path)) {
        throw new CommandException(ExitCodes.USAGE, option + " " + path + " does not exist");
      }
      if (file != null
          && !HadoopFiles.exists(hadoop, new org.apache.hadoop.fs.Path(path, file).toString())) {
        throw new CommandException(
            ExitCodes.USAGE, option + " " + path + " holds no " + file + ": give " + what);
      }
    }

    /** The folders this command creates, checked (and replaced with --overwrite) before it runs. */
    List<OutputFolder> outputs(MtlConfig config) {
      return List.of();
    }

    protected abstract int run(MtlConfig config, SparkSession spark) throws IOException;
  }
}
