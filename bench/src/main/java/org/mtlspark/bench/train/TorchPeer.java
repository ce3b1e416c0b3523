package org.mtlspark.bench.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The PyTorch peer of the seed workload: {@code seed_torch.py} (packaged with the benchmarks) run
 * by a Python that has torch, in one process or with DistributedDataParallel in N processes.
 */
final class TorchPeer {
  private static final String SCRIPT = "/org/mtlspark/bench/peers/seed_torch.py";

  /** A Python with torch, or null and why none was found. */
  record Found(String python, String why) {}

  private final String python;
  private final String rows;
  private final int epochs;

  TorchPeer(String python, String rows, int epochs) {
    this.python = python;
    this.rows = rows;
    this.epochs = epochs;
  }

  /**
   * The first of {@code $MTL_PYTHON}, {@code /usr/bin/python3} and {@code python3} that imports
   * torch (Debian's {@code python3-torch} installs it for the system Python).
   */
  static Found find() {
    List<String> candidates = new ArrayList<>();
    String configured = System.getenv("MTL_PYTHON");
    if (configured != null && !configured.isBlank()) {
      candidates.add(configured);
    }
    candidates.add("/usr/bin/python3");
    candidates.add("python3");
    for (String python : candidates) {
      try {
        Process p =
            new ProcessBuilder(python, "-c", "import torch")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return new Found(python, null);
        }
        p.destroyForcibly();
      } catch (IOException e) {
        // not there; try the next
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return new Found(
        null,
        "no Python with torch among "
            + candidates
            + " (apt-get install python3-torch, or set MTL_PYTHON)");
  }

  /** Trains in {@code processes} processes with training seed {@code seed}. */
  TrainingBenchmark.Run run(int processes, long seed) throws IOException {
    Path dir = Files.createTempDirectory("mtl-bench-torch");
    try {
      Path script = dir.resolve("seed_torch.py");
      try (InputStream in = TorchPeer.class.getResourceAsStream(SCRIPT)) {
        if (in == null) {
          throw new IOException("the benchmark jar lacks " + SCRIPT);
        }
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
      }
      Path result = dir.resolve("result.json");
      Path log = dir.resolve("torch.log");
      Process p =
          new ProcessBuilder(
                  python,
                  script.toString(),
                  "--train",
                  local(rows + "/train.f32"),
                  "--holdout",
                  local(rows + "/holdout.f32"),
                  "--epochs",
                  String.valueOf(epochs),
                  "--processes",
                  String.valueOf(processes),
                  "--seed",
                  String.valueOf(seed),
                  "--result",
                  result.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || !Files.exists(result)) {
        p.destroyForcibly();
        throw new IOException(
            "the PyTorch peer failed; its output:\n"
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      JsonNode json = new ObjectMapper().readTree(result.toFile());
      Map<String, Double> metrics = new LinkedHashMap<>();
      json.get("metrics")
          .fields()
          .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
      return new TrainingBenchmark.Run(
          seed,
          json.get("seconds").asDouble(),
          json.get("examplesPerSecond").asDouble(),
          metrics,
          List.of(),
          Double.NaN);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the PyTorch peer ran");
    } finally {
      ChildJvm.delete(dir);
    }
  }

  /** A local path for a {@code file:} URI or a plain path (the peer reads local files only). */
  private static String local(String path) throws IOException {
    java.net.URI uri = java.net.URI.create(path);
    if (uri.getScheme() == null) {
      return path;
    }
    if (!uri.getScheme().equals("file")) {
      throw new IOException("the peer reads local files only; its rows are at " + path);
    }
    return Path.of(uri).toString();
  }
}
