package org.mtlspark.operate.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Opens report pages in headless Chromium for the tests that check what the page draws. */
public final class HeadlessChromium {
  private HeadlessChromium() {}

  /** The Chromium on the PATH; the calling test is skipped, with the reason, where there is none. */
  public static String path() {
    String chromium =
        Stream.of("chromium", "chromium-browser", "google-chrome")
            .filter(
                c ->
                    Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                        .anyMatch(p -> Files.isExecutable(Path.of(p, c))))
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(
        chromium != null,
        "no chromium on the PATH (Debian: apt-get install chromium; .ci/run installs it): the page is not rendered");
    return chromium;
  }

  /** Runs {@code chromium} with {@code action} ({@code --dump-dom}, {@code --screenshot=...}) on {@code html}; returns its output. */
  public static String run(String chromium, Path profile, String action, Path html)
      throws Exception {
    Process p =
        new ProcessBuilder(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=1200,4000",
                "--virtual-time-budget=5000",
                action,
                html.toUri().toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
    assertEquals(0, p.exitValue(), "chromium " + action);
    return out;
  }
}
