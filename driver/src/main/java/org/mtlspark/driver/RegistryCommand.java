package org.mtlspark.driver;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.operate.registry.ModelRegistry;
import org.mtlspark.operate.registry.ModelVersion;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The model registry, without Spark: list, show, promote, rollback, gc. */
@Command(
    name = "registry",
    mixinStandardHelpOptions = true,
    description =
        "The model registry on HDFS or a shared POSIX mount: list, show, promote, rollback, gc.",
    subcommands = {
      RegistryCommand.ListVersions.class,
      RegistryCommand.Show.class,
      RegistryCommand.Promote.class,
      RegistryCommand.Rollback.class,
      RegistryCommand.Gc.class
    })
final class RegistryCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name an action: list, show, promote, rollback, gc");
  }

  /** Options of every action. */
  static class Target {
    @Option(
        names = "--registry",
        required = true,
        paramLabel = "URI",
        description = "The registry's root folder.")
    String registry;

    ModelRegistry open() {
      return new ModelRegistry(new Configuration(), registry);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The models, or with --name every version of one (* marks the promoted one).")
  static final class ListVersions implements Callable<Integer> {
    @CommandLine.Mixin Target target = new Target();

    @Option(names = "--name", paramLabel = "NAME", description = "A model.")
    String name;

    @Override
    public Integer call() throws IOException {
      ModelRegistry r = target.open();
      if (name == null) {
        r.models().forEach(System.out::println);
        return ExitCodes.OK;
      }
      String promoted = r.promoted(name).orElse("");
      System.out.printf(
          "%-2s%-8s %-24s %-20s %10s  %s%n",
          "", "version", "created", "run id", "objective", "test metrics");
      for (ModelVersion v : r.list(name)) {
        System.out.printf(
            "%-2s%-8s %-24s %-20s %10.4f  %s%n",
            v.version().equals(promoted) ? "*" : "",
            v.version(),
            v.created().substring(0, Math.min(19, v.created().length())),
            v.runId(),
            v.objective(),
            v.metrics());
      }
      List<ModelRegistry.Damaged> damaged = r.damaged(name);
      for (ModelRegistry.Damaged d : damaged) {
        System.out.printf("%-2s%-8s DAMAGED: %s%n", "!", d.version(), d.reason());
      }
      if (!damaged.isEmpty()) {
        System.err.println(
            "warning: "
                + damaged.size()
                + " damaged version folder(s) of "
                + name
                + " are skipped; `registry gc` moves them aside");
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One version's record, after verifying " + "its files' checksums.")
  static final class Show implements Callable<Integer> {
    @CommandLine.Mixin Target target = new Target();

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The model.")
    String name;

    @Option(
        names = "--model-version",
        paramLabel = "VERSION",
        description = "Default: the promoted one.")
    String version;

    @Override
    public Integer call() throws IOException {
      ModelRegistry r = target.open();
      String v =
          version != null
              ? version
              : r.promoted(name)
                  .orElseThrow(
                      () ->
                          new CommandException(
                              ExitCodes.REGISTRY, "model " + name + " has no promoted version"));
      r.verify(name, v);
      System.out.println(
          new ObjectMapper()
              .enable(SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(r.show(name, v)));
      System.out.println("files verified: " + r.versionDir(name, v));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "promote",
      mixinStandardHelpOptions = true,
      description = "Make a version the promoted one.")
  static final class Promote implements Callable<Integer> {
    @CommandLine.Mixin Target target = new Target();

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The model.")
    String name;

    @Parameters(paramLabel = "VERSION", description = "The version to promote, e.g. v0003.")
    String version;

    @Override
    public Integer call() throws IOException {
      ModelRegistry.Pointer p = target.open().promote(name, version);
      System.out.println(
          "promoted " + name + " " + p.version() + " (promotion stack " + p.stack() + ")");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = "Promote again the version promoted before the current one.")
  static final class Rollback implements Callable<Integer> {
    @CommandLine.Mixin Target target = new Target();

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The model.")
    String name;

    @Override
    public Integer call() throws IOException {
      ModelRegistry.Pointer p = target.open().rollback(name);
      System.out.println(
          "rolled "
              + name
              + " back to "
              + p.version()
              + " (promotion stack "
              + p.stack()
              + "; the history keeps every change)");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "gc",
      mixinStandardHelpOptions = true,
      description =
          "Clean what crashes left: remove staging folders and temporary files older than --older-than, "
              + "and move damaged versions (not the promoted one) to NAME/damaged/.")
  static final class Gc implements Callable<Integer> {
    @CommandLine.Mixin Target target = new Target();

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "The model.")
    String name;

    @Option(
        names = "--older-than",
        defaultValue = "PT1H",
        paramLabel = "DURATION",
        description =
            "Leave staging folders younger than this (ISO-8601, default: ${DEFAULT-VALUE}): a register "
                + "may be copying into them.")
    Duration olderThan;

    @Override
    public Integer call() throws IOException {
      ModelRegistry.Cleaned c = target.open().gc(name, olderThan);
      c.removedStaging().forEach(p -> System.out.println("removed " + p));
      c.movedAside().forEach(p -> System.out.println("moved aside " + p));
      c.kept().forEach(p -> System.out.println("kept the damaged " + p));
      System.out.printf(
          "%d leftover(s) removed, %d damaged version(s) moved aside, %d kept%n",
          c.removedStaging().size(), c.movedAside().size(), c.kept().size());
      return c.kept().isEmpty() ? ExitCodes.OK : ExitCodes.REGISTRY;
    }
  }
}
