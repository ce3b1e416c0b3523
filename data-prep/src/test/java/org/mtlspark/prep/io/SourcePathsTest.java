package org.mtlspark.prep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Source paths with wildcards, and paths whose names merely hold a wildcard character. */
class SourcePathsTest {
  @TempDir Path dir;
  final Configuration conf = new Configuration();

  List<String> names(String path) throws IOException {
    return HadoopFiles.listDataFiles(conf, path).stream()
        .map(f -> new org.apache.hadoop.fs.Path(f).getName())
        .toList();
  }

  @Test
  void aWildcardMatchesFilesAndFoldersAndALiteralNameWinsWhereItExists() throws IOException {
    Files.createDirectories(dir.resolve("ewt/more"));
    for (String f : List.of("ud-dev.conllu", "ud-test.conllu", "ner-dev.iob2", "r[1].csv")) {
      Files.writeString(dir.resolve("ewt").resolve(f), f);
    }
    Files.writeString(dir.resolve("ewt/more/ud-extra.conllu"), "x");
    String root = dir.resolve("ewt").toString();
    assertEquals(List.of("ud-dev.conllu", "ud-test.conllu"), names(root + "/ud-*.conllu"));
    assertEquals(
        List.of("ud-extra.conllu", "ud-dev.conllu"), names(root + "/{more,ud-dev.conllu}"));
    assertEquals(List.of("r[1].csv"), names(root + "/r[1].csv"), "a file named with brackets");
    IOException none = assertThrows(IOException.class, () -> names(root + "/x-*.csv"));
    assertTrue(none.getMessage().contains("matches no file"), none.getMessage());

    assertTrue(HadoopFiles.sourceExists(conf, root + "/ud-*.conllu"));
    assertFalse(HadoopFiles.sourceExists(conf, root + "/x-*.csv"));
    assertFalse(HadoopFiles.sourceExists(conf, root + "/missing.csv"));
    assertEquals(root, HadoopFiles.sourceBase(conf, root + "/ud-*.conllu"));
    assertEquals(root, HadoopFiles.sourceBase(conf, root + "/*/ud-*.conllu"));
    assertEquals(root + "/r[1].csv", HadoopFiles.sourceBase(conf, root + "/r[1].csv"));
  }
}
