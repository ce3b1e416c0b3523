package org.mtlspark.operate.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.prep.source.SparkSources;

/** Describes the raw data a model was trained on, with a fingerprint of its content. */
public final class DataFingerprint {
  private DataFingerprint() {}

  /**
   * The sources, their row counts (from the prepared manifest), and a fingerprint: the sha256 of
   * the sorted lines "relative path, length, sha256 of the content" of every source file, the file
   * hashes computed on the executors.
   */
  public static ModelVersion.DataDescription describe(
      SparkSession spark, MtlConfig config, String dataRoot, Manifest manifest) throws IOException {
    SerializableConf conf = new SerializableConf(spark.sparkContext().hadoopConfiguration());
    Map<String, String> sources = new LinkedHashMap<>();
    Map<String, Long> rows = new LinkedHashMap<>();
    List<String> files = new ArrayList<>();
    for (SourceConfig src : config.data().sources()) {
      Manifest.SourceCount count = manifest.counts().sources().get(src.name());
      rows.put(src.name(), count == null ? 0 : count.rows());
      if (src.format().bySpark()) {
        // The files Spark reads for it (a database's rows have none, and are not fingerprinted).
        sources.put(src.name(), SparkSources.describe(src, dataRoot));
        if (SparkSources.exists(spark, src)) {
          files.addAll(
              SparkSources.inputFiles(spark, SparkSources.frame(spark, src, dataRoot)).stream()
                  .map(f -> f.getPath().toString())
                  .toList());
        }
        continue;
      }
      String resolved = HadoopFiles.resolve(dataRoot, src.path());
      sources.put(src.name(), resolved);
      if (HadoopFiles.sourceExists(conf.get(), resolved)) {
        files.addAll(HadoopFiles.listDataFiles(conf.get(), resolved));
      }
    }
    String rootPath = new Path(dataRoot).toUri().getPath();
    List<String> lines =
        files.isEmpty()
            ? List.of()
            : JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(files, Math.min(files.size(), 64))
                .map(
                    f -> {
                      Path p = new Path(f);
                      var fs = p.getFileSystem(conf.get());
                      String rel = p.toUri().getPath();
                      rel =
                          rel.startsWith(rootPath)
                              ? rel.substring(rootPath.length()).replaceFirst("^/+", "")
                              : rel;
                      return rel
                          + " "
                          + fs.getFileStatus(p).getLen()
                          + " "
                          + ModelRegistry.sha256(fs, p);
                    })
                .collect();
    List<String> sorted = new ArrayList<>(lines);
    sorted.sort(null);
    MessageDigest digest = ModelRegistry.sha256();
    for (String line : sorted) {
      digest.update((line + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return new ModelVersion.DataDescription(
        dataRoot,
        sources,
        rows,
        manifest.counts().records(),
        sorted.stream().map(l -> l.substring(0, l.indexOf(' '))).toList(),
        HexFormat.of().formatHex(digest.digest()));
  }
}
