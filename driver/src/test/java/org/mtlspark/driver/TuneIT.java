package org.mtlspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mtlspark.driver.InProcessCli.mtl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.testing.InProcessCommand;

/**
 * tune trains each trial and picks the best on validation: of a learning rate that learns and one
 * too small to move the weights in two epochs, the first wins; a second run takes the finished
 * trials as they are.
 */
class TuneIT {
  @TempDir static Path dir;
  static String prep;

  @BeforeAll
  static void prepare() {
    InProcessCommand.localSpark();
    String data = dir.resolve("data").toString();
    prep = dir.resolve("prep").toString();
    assertEquals(0, mtl("generate", "--out", data, "--rows", "800").code());
    assertEquals(0, mtl("prep", "--data", data, "--out", prep).code());
  }

  private static String[] tune(String out) {
    return new String[] {
      "tune",
      "--prep",
      prep,
      "--out",
      out,
      "--try",
      "train.learningRate=0.000001|0.01",
      "--set",
      "train.epochs=2"
    };
  }

  /** tune into {@code out} trying only {@code tried} (a --try value). */
  private static String[] tuneTrying(String out, String tried) {
    return new String[] {"tune", "--prep", prep, "--out", out, "--try", tried};
  }

  @Test
  void theTrialThatLearnsWinsAndASecondRunResumes() throws IOException {
    String out = dir.resolve("tune").toString();
    InProcessCommand.Outcome o = mtl(tune(out));
    assertEquals(ExitCodes.OK, o.code(), o.err());
    JsonNode result = new ObjectMapper().readTree(dir.resolve("tune/tune.json").toFile());
    JsonNode trials = result.get("trials");
    assertEquals(2, trials.size());
    assertEquals("0.000001", trials.get(0).get("settings").get("train.learningRate").asText());
    double tiny = trials.get(0).get("objective").asDouble();
    double learns = trials.get(1).get("objective").asDouble();
    assertTrue(learns > tiny + 0.05, "0.01 learns, 1e-6 does not: " + learns + " vs " + tiny);
    assertEquals(2, result.get("best").asInt());
    assertTrue(result.get("complete").asBoolean());
    MtlConfig best =
        ConfigLoader.load(List.of(dir.resolve("tune/best.yaml").toString()), List.of());
    assertEquals(0.01, best.train().learningRate());
    assertEquals(2, best.train().epochs());
    assertTrue(o.out().contains("Best: trial 2"), o.out());

    Path model = dir.resolve("tune/trial-01/model.zip");
    FileTime trained = Files.getLastModifiedTime(model);
    InProcessCommand.Outcome again = mtl(tune(out));
    assertEquals(ExitCodes.OK, again.code(), again.err());
    assertEquals(
        trained, Files.getLastModifiedTime(model), "a finished trial is not trained again");
    assertTrue(again.out().contains("Best: trial 2"), again.out());
  }

  @Test
  void aFolderTuneDidNotMakeAndABadTryAreRefusedBeforeSpark() throws IOException {
    Path foreign = Files.createDirectories(dir.resolve("mine"));
    Files.writeString(foreign.resolve("notes.txt"), "keep");
    InProcessCommand.assertRefused(
        mtl(tune(foreign.toString())),
        ExitCodes.USAGE,
        "was not made by tune (it holds notes.txt)");
    assertEquals("keep", Files.readString(foreign.resolve("notes.txt")));
    InProcessCommand.assertRefused(
        mtl(tuneTrying(dir.resolve("t2").toString(), "model.dropout")),
        ExitCodes.USAGE,
        "--try model.dropout: expected KEY=VALUE|VALUE...");
    InProcessCommand.assertRefused(
        mtl(tuneTrying(dir.resolve("t3").toString(), "model.dropout=0.2|1.5")),
        ExitCodes.USAGE,
        "the trial {model.dropout=1.5} is not a valid configuration: model.dropout: must be in");
  }
}
