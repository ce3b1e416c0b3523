package org.mtlspark.operate.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.testing.SharedSpark;
import org.mtlspark.workers.eval.EvaluateJob;
import org.mtlspark.workers.run.RunFolder;
import org.mtlspark.workers.train.TrainJob;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/** A small run trained with dynamic task weights and evaluated; its report built and opened in headless Chromium. */
class RunReportIT {
  @TempDir static Path dir;
  static Configuration hadoop;
  static String run;

  /** 3 task curves, the score, the weights, 2 confusion matrices, coverage, status, ablation, comparison. */
  static final int CHARTS = 11;

  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void trainAndEvaluate() throws IOException {
    SparkSession spark = SharedSpark.get();
    hadoop = spark.sparkContext().hadoopConfiguration();
    MtlConfig config =
        ConfigLoader.load(
            List.of(), List.of("generate.rows=1200", "train.epochs=3", "train.taskWeighting=dwa"));
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
    assertEquals(
        List.of("spend", "tier", "churn"), tasks.stream().map(t -> t.get("name")).toList());
    EvaluateJob.Report report = EvaluateJob.readReport(hadoop, run);
    for (Map<String, Object> t : tasks) {
      assertEquals(
          3, ((List<?>) t.get("validation")).size(), t.get("name") + " has a point per epoch");
      assertEquals(t.get("test"), t.get("promoted"), "compared with itself");
    }
    List<List<Number>> tier = (List<List<Number>>) tasks.get(1).get("confusion");
    long cells = tier.stream().flatMap(List::stream).mapToLong(Number::longValue).sum();
    assertEquals(
        report.tasks().get("tier").examples(),
        cells,
        "the confusion matrix counts every labelled test row");
    assertEquals(((List<?>) tasks.get(1).get("classes")).size(), tier.size());
    assertTrue(tasks.get(0).get("confusion") == null, "no confusion matrix for a regression task");
    Map<String, List<Double>> weights = (Map<String, List<Double>>) d.get("weights");
    assertEquals(Set.of("spend", "tier", "churn"), weights.keySet());
    assertTrue(weights.get("spend").size() == 3);
    Map<String, Double> coverage =
        (Map<String, Double>) ((Map<String, Object>) d.get("coverage")).get("modalities");
    coverage.values().forEach(p -> assertTrue(p > 50 && p <= 100, "presence % " + coverage));
  }

  @Test
  void headlessChromiumShowsEveryPlot() throws Exception {
    String chromium = chromium();
    Path html = dir.resolve("report.html");
    RunReport.write(hadoop, run, run, "v0001", html.toString());
    String page = Files.readString(html);
    assertTrue(
        page.contains("echarts") && !page.contains("/*DATA*/"),
        "the library and the data are inlined");

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
    assertTrue(
        dom.contains(">tier: true class (rows) by predicted class<")
            || dom.contains("tier: true class"),
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
    assertTrue(
        colours.size() > 50,
        "the screenshot shows coloured plots, not a blank page: " + colours.size());
  }

  /** Strings from data and paths that would run script or hide the page if they went in as markup. */
  static final String IMG = "<img src=x onerror=document.title='pwned'>";

  static final String COMMENT = "<!--<script>";
  static final String SCRIPT = "</script><script>document.title='pwned'</script>";

  @Test
  void hostileNamesLabelsAndPathsShowAsTextAndRunNoScript() throws Exception {
    String chromium = chromium();
    // The trained run, copied to a folder whose name is markup, with a task renamed and two class
    // labels replaced by markup; compared with itself under a label that closes the script element.
    Path hostile = Files.createDirectories(dir.resolve("hostile").resolve(IMG));
    for (String f :
        List.of(
            RunFolder.TRAINING_FILE,
            RunFolder.HISTORY_FILE,
            RunFolder.METRICS_FILE,
            "manifest.json")) {
      Path from = Path.of(run, f);
      if (Files.exists(from)) {
        Files.writeString(
            hostile.resolve(f),
            Files.readString(from).replace("\"churn\"", JSON.writeValueAsString(IMG)));
      }
    }
    ObjectNode metrics =
        (ObjectNode) JSON.readTree(hostile.resolve(RunFolder.METRICS_FILE).toFile());
    ArrayNode classes = (ArrayNode) metrics.get("tasks").get("tier").get("classes");
    classes.set(0, COMMENT);
    classes.set(1, SCRIPT);
    JSON.writeValue(hostile.resolve(RunFolder.METRICS_FILE).toFile(), metrics);
    Path html = dir.resolve("hostile.html");
    RunReport.write(hadoop, hostile.toString(), hostile.toString(), SCRIPT, html.toString());
    String page = Files.readString(html);
    String data = page.substring(page.indexOf("const DATA = "));
    data = data.substring(0, data.indexOf("</script>"));
    for (String markup : List.of(IMG, COMMENT, SCRIPT, "<!--", "</script")) {
      assertFalse(data.contains(markup), "the embedded data holds no markup: " + markup);
    }

    String dom = runChromium(chromium, "--dump-dom", html);
    Matcher charts = Pattern.compile("data-charts=\"(\\d+)\"").matcher(dom);
    assertTrue(
        charts.find(),
        "the page's script ran to its end: " + dom.substring(Math.max(0, dom.length() - 2000)));
    assertEquals(CHARTS, Integer.parseInt(charts.group(1)), "every chart was drawn");
    assertTrue(
        dom.contains("<title>mtlspark run report</title>"), "no injected script set the title");
    assertFalse(dom.contains("pwned</title>"), "no injected script set the title");
    Matcher scripts = Pattern.compile("(?s)<script\\b[^>]*>.*?</script>").matcher(dom);
    int count = 0;
    while (scripts.find()) {
      count++;
    }
    assertEquals(2, count, "only the page's own two script elements (the library, the page's)");
    String markup = scripts.replaceAll("");
    assertFalse(
        markup.contains("<img") || markup.contains("<script"), "no element came from the data");
    String text = "&lt;img src=x onerror=document.title='pwned'&gt;";
    assertTrue(dom.contains("<td>" + text + "</td>"), "the task name is a table cell's text");
    assertTrue(
        dom.contains("<th>&lt;/script&gt;&lt;script&gt;document.title='pwned'&lt;/script&gt;</th>"),
        "the comparison's label is a heading's text");
    assertTrue(
        dom.contains(">Run " + hostile.toString().replace("<", "&lt;").replace(">", "&gt;") + "<"),
        "the run's path is the heading's text");
    assertTrue(
        dom.contains("&lt;!--&lt;script&gt;"),
        "the class label is drawn as text in the confusion matrix");
  }

  private static String chromium() {
    return HeadlessChromium.path();
  }

  private static String runChromium(String chromium, String action, Path html) throws Exception {
    return HeadlessChromium.run(chromium, dir.resolve("chromium-profile"), action, html);
  }
}
