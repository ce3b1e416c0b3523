package org.mtlspark.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.mtlspark.driver.CommandException;
import org.mtlspark.driver.ExitCodes;
import org.nd4j.shade.jackson.core.type.TypeReference;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Gathers the benchmarks' result files of one suite run into {@code results.json} and
 * {@code results.md}: per benchmark, the command that produced it (from {@code NAME.cmd}), the
 * machine, the baseline and its tables; benchmarks skipped ({@code NAME.skipped}) with the reason.
 */
@Command(
    name = "summary",
    mixinStandardHelpOptions = true,
    description =
        "Gathers a suite run's NAME.json result files (with NAME.cmd, the command that wrote each, and "
            + "NAME.skipped, why a benchmark did not run) into results.json and results.md in the same folder.")
final class BenchSummaryCommand implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The suite's results folder.")
  Path dir;

  @Option(
      names = "--title",
      defaultValue = "Benchmark results",
      description = "Heading of results.md.")
  String title;

  @Override
  public Integer call() throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CommandException(ExitCodes.USAGE, "--dir " + dir + " is not a folder");
    }
    checkOwnFiles();
    List<Map<String, Object>> sections = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (Path file : list(dir)) {
      String name = file.getFileName().toString();
      if (name.endsWith(".skipped")) {
        skipped.put(stem(name), Files.readString(file, StandardCharsets.UTF_8).trim());
      }
      if (!name.endsWith(".json") || name.equals("results.json")) {
        continue;
      }
      Map<String, Object> section = new LinkedHashMap<>();
      section.put("name", stem(name));
      Path cmd = dir.resolve(stem(name) + ".cmd");
      section.put(
          "command",
          Files.exists(cmd) ? Files.readString(cmd, StandardCharsets.UTF_8).trim() : null);
      try {
        section.putAll(JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() {}));
      } catch (IOException e) {
        throw new CommandException(
            ExitCodes.USAGE, file + " is not a benchmark's result file: " + e.getMessage());
      }
      if (!section.containsKey("tables")) {
        throw new CommandException(
            ExitCodes.USAGE, file + " is not a benchmark's result file: it has no tables");
      }
      sections.add(section);
    }
    if (sections.isEmpty() && skipped.isEmpty()) {
      throw new CommandException(
          ExitCodes.USAGE, dir + " holds no benchmark result (NAME.json) or skip note");
    }
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("generated", Instant.now().toString());
    results.put("benchmarks", sections);
    results.put("skipped", skipped);
    JSON.writeValue(dir.resolve("results.json").toFile(), results);
    Files.writeString(
        dir.resolve("results.md"), markdown(title, sections, skipped), StandardCharsets.UTF_8);
    System.out.println(
        "wrote "
            + dir.resolve("results.json")
            + " and "
            + dir.resolve("results.md")
            + ": "
            + sections.size()
            + " benchmark(s), "
            + skipped.size()
            + " skipped");
    return ExitCodes.OK;
  }

  /**
   * results.json and results.md are replaced only when they are an earlier summary's: results.json
   * holds what this command writes, and results.md is not there without it.
   */
  private void checkOwnFiles() throws IOException {
    Path json = dir.resolve("results.json");
    Path md = dir.resolve("results.md");
    boolean earlier = false;
    if (Files.exists(json)) {
      try {
        var node = JSON.readTree(json.toFile());
        earlier =
            node != null && node.has("generated") && node.has("benchmarks") && node.has("skipped");
      } catch (IOException e) {
        earlier = false;
      }
      if (!earlier) {
        throw new CommandException(
            ExitCodes.USAGE,
            "--dir "
                + dir
                + " holds a results.json that is not an earlier "
                + "summary's, which summary would replace; move it or gather into another folder");
      }
    }
    if (Files.exists(md) && !earlier) {
      throw new CommandException(
          ExitCodes.USAGE,
          "--dir "
              + dir
              + " holds a results.md without an earlier "
              + "summary's results.json, which summary would replace; move it or gather into another folder");
    }
    if (!Files.isWritable(dir)) {
      throw new CommandException(ExitCodes.USAGE, "--dir " + dir + " cannot be written");
    }
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.sorted().toList();
    }
  }

  private static String stem(String name) {
    return name.substring(0, name.lastIndexOf('.'));
  }

  /** The results as Markdown: per benchmark its command, machine, baseline, tables and notes. */
  @SuppressWarnings("unchecked")
  static String markdown(
      String title, List<Map<String, Object>> sections, Map<String, String> skipped) {
    StringBuilder md = new StringBuilder("# " + title + "\n\n");
    for (Map<String, Object> s : sections) {
      md.append("## ").append(s.getOrDefault("title", s.get("name"))).append("\n\n");
      if (s.get("command") != null) {
        md.append("Command: `").append(s.get("command")).append("`\n\n");
      }
      md.append("Machine: ").append(machine((Map<String, Object>) s.get("machine"))).append("\n\n");
      md.append("Baseline: ").append(s.get("baseline")).append("\n\n");
      for (Map<String, Object> t : (List<Map<String, Object>>) s.get("tables")) {
        md.append("**").append(t.get("caption")).append("**\n\n");
        List<Object> columns = (List<Object>) t.get("columns");
        md.append(row(columns)).append(row(columns.stream().map(c -> (Object) "---").toList()));
        for (List<Object> r : (List<List<Object>>) t.get("rows")) {
          md.append(row(r));
        }
        md.append("\n");
      }
      for (Object note : (List<Object>) s.getOrDefault("notes", List.of())) {
        md.append("- ").append(note).append("\n");
      }
      md.append("\n");
    }
    if (!skipped.isEmpty()) {
      md.append("## Not run\n\n");
      skipped.forEach(
          (name, why) -> md.append("- ").append(name).append(": ").append(why).append("\n"));
    }
    return md.toString();
  }

  private static String machine(Map<String, Object> m) {
    if (m == null) {
      return "not recorded";
    }
    return m.get("cores")
        + " cores, "
        + (m.containsKey("memoryMB") ? m.get("memoryMB") + " MB memory, " : "")
        + m.get("cpu")
        + "; driver heap "
        + m.get("driverHeapMB")
        + " MB; Java "
        + m.get("java")
        + ", Spark "
        + m.get("sparkVersion")
        + ", master "
        + m.get("sparkMaster");
  }

  private static String row(List<Object> cells) {
    StringBuilder sb = new StringBuilder("|");
    for (Object c : cells) {
      sb.append(' ').append(c == null ? "" : String.valueOf(c).replace("|", "\\|")).append(" |");
    }
    return sb.append('\n').toString();
  }

  /** A table as fixed-width text, for the console. */
  static String text(BenchResults.Table t) {
    List<Integer> widths = new ArrayList<>();
    for (int c = 0; c < t.columns().size(); c++) {
      int w = t.columns().get(c).length();
      for (List<Object> r : t.rows()) {
        w = Math.max(w, String.valueOf(r.get(c)).length());
      }
      widths.add(w);
    }
    StringBuilder sb = new StringBuilder(String.format("%n%s%n", t.caption()));
    List<List<Object>> all = new ArrayList<>();
    all.add(new ArrayList<Object>(t.columns()));
    all.addAll(t.rows());
    for (List<Object> r : all) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < r.size(); c++) {
        line.append(String.format("%-" + widths.get(c) + "s  ", r.get(c)));
      }
      sb.append(line.toString().stripTrailing()).append(String.format("%n"));
    }
    return sb.toString();
  }
}
