package org.mtlspark.prep.source;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.io.SerializableConf;

/**
 * Reads one hostile file the way prep does, in a JVM of its own (started with a small heap by
 * {@link HostileFiles#probe}), and prints what became of it: {@code REJECT field: reason},
 * {@code OK ...} or {@code FAILED message}.
 *
 * <p>Modes: {@code image FILE} (an image column naming FILE, under FILE's folder as data root),
 * {@code json FILE} (the rows of a JSON lines file), {@code csv FILE} (the rows of a CSV file
 * with columns id, file, y), {@code csv-header FILE} (the driver's header
 * check of a CSV file).
 */
public final class HostileInputProbe {
  private HostileInputProbe() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]).toAbsolutePath();
    MtlConfig config =
        ConfigLoader.fromYaml(
            """
        data:
          sources:
            - {name: scans, format: csv, path: s.csv, image: file}
            - {name: notes, format: json, path: n.json, text: text}
        tasks:
          - {name: y, type: binary, source: scans, column: y}
        """,
            "probe.yaml");
    Configuration conf = new Configuration();
    switch (args[0]) {
      case "image" -> {
        RowInterpreter in =
            new RowInterpreter(
                config.data().source("scans"),
                config.data().key(),
                config.tasks(),
                "NA",
                config.prep().image(),
                new SerializableConf(conf),
                file.getParent().toUri().toString());
        ParsedRow<SourceValues> row =
            in.interpret(
                "s.csv",
                2,
                column ->
                    switch (column) {
                      case "id" -> "k1";
                      case "file" -> file.getFileName().toString();
                      case "y" -> "1";
                      default -> null;
                    },
                "k1," + file.getFileName() + ",1");
        print(row);
      }
      case "json" -> {
        RowInterpreter in =
            new RowInterpreter(
                config.data().source("notes"),
                config.data().key(),
                config.tasksOf("notes"),
                "NA",
                config.prep().image());
        try (BufferedReader r =
            TextFiles.open(conf, file.toUri().toString(), StandardCharsets.UTF_8)) {
          Iterator<ParsedRow<SourceValues>> rows =
              new JsonSourceFormat(in, StandardCharsets.UTF_8).rows(file.toString(), r);
          rows.forEachRemaining(HostileInputProbe::print);
        }
      }
      case "csv" -> {
        RowInterpreter in =
            new RowInterpreter(
                config.data().source("scans"),
                config.data().key(),
                config.tasks(),
                "NA",
                config.prep().image());
        try (BufferedReader r =
            TextFiles.open(conf, file.toUri().toString(), StandardCharsets.UTF_8)) {
          new CsvSourceFormat(in, CsvDialect.RFC_4180, StandardCharsets.UTF_8)
              .rows(file.toString(), r)
              .forEachRemaining(HostileInputProbe::print);
        }
      }
      case "csv-header" -> {
        try {
          CsvHeader header =
              SourceReader.header(conf, config.data().source("scans"), file.toUri().toString());
          System.out.println("OK header " + header);
        } catch (PrepException e) {
          System.out.println("FAILED " + e.getMessage());
        }
      }
      default ->
          throw new IllegalArgumentException(
              "modes: image, json, csv, csv-header; not " + List.of(args));
    }
  }

  private static void print(ParsedRow<SourceValues> row) {
    System.out.println(
        row.isOk()
            ? "OK " + row.key()
            : "REJECT " + row.reject().field() + ": " + row.reject().reason());
  }
}
