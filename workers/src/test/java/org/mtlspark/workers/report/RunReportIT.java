package org.mtlspark.workers.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.train.TrainJob;

/** A small run trained with dynamic task weights and evaluated; its report built and opened in headless Chromium. */
class RunReportIT {
  @TempDir static Path dir;
  static Configuration hadoop;
  static String run;
  /** 3 task curves, the score, the weights, 2 confusion matrices, coverage, status, ablation, comparison. */
  static final int CHARTS = 11;

  @BeforeAll
  static void trainAndEvaluate() throws IOException {
    SparkSession spark = SharedSpark.get();
    hadoop = spark.sparkContext().hadoopConfiguration();
    MtlConfig config = ConfigLoader.load(List.of(), List.of("generate.rows=1200", "train.epochs=3",
        "train.taskWeighting=dwa"));
    new GenerateJob(spark).run(config, dir.resolve("data").toString());
    new PrepJob(spark).run(config, dir.resolve("data").toString(), dir.resolve("prep").toString());
    run = dir.resolve("run").toString();
    new TrainJob(spark).run(config, dir.resolve("prep").toString(), run);
    new EvaluateJob(spark).run(run, dir.resolve("prep").toString(), "test", 2);
  }

  @Test
  @SuppressWarnings("unchecked")
  void theReportHoldsCurvesWeightsConfusionCoverageAndTheComparison() throws IOException {
    Map<String, Object> d = RunReport.data(hadoop, run, run, "v0001");
    assertEquals(List.of(1, 2, 3), d.get("epochs"));
    List<Map<String, Object>> tasks = (List<Map<String, Object>>) d.get("tasks");
    assertEquals(List.of("spend", "tier", "churn"), tasks.stream().map(t -> t.get("name")).toList());
    EvaluateJob.Report report = EvaluateJob.readReport(hadoop, run);
    for (Map<String, Object> t : tasks) {
      assertEquals(3, ((List<?>) t.get("validation")).size(), t.get("name") + " has a point per epoch");
      assertEquals(t.get("test"), t.get("promoted"), "compared with itself");
    }
    List<List<Number>> tier = (List<List<Number>>) tasks.get(1).get("confusion");
    long cells = tier.stream().flatMap(List::stream).mapToLong(Number::longValue).sum();
    assertEquals(report.tasks().get("tier").examples(), cells, "the confusion matrix counts every labelled test row");
    assertEquals(((List<?>) tasks.get(1).get("classes")).size(), tier.size());
    assertTrue(tasks.get(0).get("confusion") == null, "no confusion matrix for a regression task");
    Map<String, List<Double>> weights = (Map<String, List<Double>>) d.get("weights");
    assertEquals(Set.of("spend", "tier", "churn"), weights.keySet());
    assertTrue(weights.get("spend").size() == 3);
    Map<String, Double> coverage = (Map<String, Double>) ((Map<String, Object>) d.get("coverage")).get("modalities");
    coverage.values().forEach(p -> assertTrue(p > 50 && p <= 100, "presence % " + coverage));
  }

  @Test
  void headlessChromiumShowsEveryPlot() throws Exception {
    String chromium = Stream.of("chromium", "chromium-browser", "google-chrome")
        .filter(c -> Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(p -> Files.isExecutable(Path.of(p, c))))
        .findFirst().orElse(null);
    Assumptions.assumeTrue(chromium != null,
        "no chromium on the PATH (Debian: apt-get install chromium; .ci/run installs it): the page is not rendered");
    Path html = dir.resolve("report.html");
    RunReport.write(hadoop, run, run, "v0001", html.toString());
    String page = Files.readString(html);
    assertTrue(page.contains("echarts") && !page.contains("/*DATA*/"), "the library and the data are inlined");

    String dom = runChromium(chromium, "--dump-dom", html);
    Matcher charts = Pattern.compile("data-charts=\"(\\d+)\"").matcher(dom);
    assertTrue(charts.find(), "the page's script ran to its end");
    assertEquals(CHARTS, Integer.parseInt(charts.group(1)), "every chart was drawn");
    Matcher svg = Pattern.compile("<svg").matcher(dom);
    int svgs = 0;
    while (svg.find()) {
      svgs++;
    }
    assertTrue(svgs >= CHARTS, "each chart is an SVG: " + svgs);
    assertTrue(dom.split("<path").length > 100, "the SVGs hold drawn lines, bars and cells");
    assertTrue(dom.contains(">tier: true class (rows) by predicted class<") || dom.contains("tier: true class"),
        "the confusion matrix has its title");

    Path png = dir.resolve("report.png");
    runChromium(chromium, "--screenshot=" + png, html);
    BufferedImage image = ImageIO.read(png.toFile());
    Set<Integer> colours = new HashSet<>();
    for (int y = 0; y < image.getHeight(); y += 3) {
      for (int x = 0; x < image.getWidth(); x += 3) {
        colours.add(image.getRGB(x, y));
      }
    }
    assertTrue(colours.size() > 50, "the screenshot shows coloured plots, not a blank page: " + colours.size());
  }

  private static String runChromium(String chromium, String action, Path html) throws Exception {
    Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--user-data-dir=" + dir.resolve("chromium-profile"),
        "--window-size=1200,4000", "--virtual-time-budget=5000", action, html.toUri().toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), "chromium " + action);
    return out;
  }
}
