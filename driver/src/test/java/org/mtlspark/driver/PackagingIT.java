package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mtlspark.testing.SharedSpark;

/** The application jar and the scripts that launch it (runs after `package`). */
class PackagingIT {
  static final Path ROOT = SharedSpark.confDir().getParent();
  static final Path JAR = ROOT.resolve("driver/target/mtlspark.jar");

  @Test
  void theShadedJarHoldsNoSparkAndStaysUnder200MB() throws IOException {
    assertTrue(Files.size(JAR) <= 200L * 1024 * 1024, "jar size " + Files.size(JAR));
    try (JarFile jar = new JarFile(JAR.toFile())) {
      List<String> spark = jar.stream().map(e -> e.getName())
          .filter(n -> n.startsWith("org/apache/spark/") || n.startsWith("scala/")).limit(5).toList();
      assertEquals(List.of(), spark);
      assertEquals("org.mtlspark.driver.MtlCommand", jar.getManifest().getMainAttributes().getValue("Main-Class"));
      assertTrue(jar.getEntry("org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64/libnd4jcpu.so") != null);
      assertTrue(jar.stream().noneMatch(e -> e.getName().matches("org/bytedeco/[^/]+/(windows|macosx)-.*")));
      String services = new String(jar.getInputStream(jar.getEntry(
          "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend")).readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(services.contains("CpuBackend"), "ND4J finds its CPU backend through META-INF/services");
      assertTrue(jar.getEntry("org/mtlspark/config/defaults.yaml") != null, "defaults are packaged");
    }
  }

  @Test
  void everySubmitScriptIsValidShellAndNamesClassesAndJarsThatExist() throws Exception {
    List<Path> scripts;
    try (Stream<Path> s = Files.list(ROOT.resolve("submit-scripts"))) {
      scripts = s.filter(Files::isRegularFile).sorted().toList();
    }
    assertFalse(scripts.isEmpty());
    Pattern classRef = Pattern.compile("org\\.mtlspark\\.[A-Za-z.]+[A-Z][A-Za-z]+");
    Pattern jarRef = Pattern.compile("driver/target/[A-Za-z.-]+\\.(jar|txt|options)");
    for (Path script : scripts) {
      Process p = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), script + " is not valid bash: " + out);
      assertTrue(Files.isExecutable(script), script + " is executable");
      String text = Files.readString(script);
      List<String> missing = new ArrayList<>();
      Matcher m = classRef.matcher(text);
      while (m.find()) {
        try {
          Class.forName(m.group());
        } catch (ClassNotFoundException e) {
          missing.add(m.group());
        }
      }
      Matcher j = jarRef.matcher(text);
      while (j.find()) {
        if (!Files.isRegularFile(ROOT.resolve(j.group()))) {
          missing.add(j.group());
        }
      }
      assertEquals(List.of(), missing, script + " names things the build does not have");
    }
  }
}
