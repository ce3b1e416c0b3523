package org.mtlspark.prep.generate;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.config.GenerateConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.prep.io.JobLabels;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.io.StagingFolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the built-in data set as four sources keyed by {@code id}: tabular CSV, text JSON lines,
 * images as Parquet of pixel bytes, and labels CSV. Each file is written by one Spark task. The
 * output appears under its final name only once complete (written aside, then renamed).
 */
public final class GenerateJob {
  private static final Logger LOG = LoggerFactory.getLogger(GenerateJob.class);

  private final SparkSession spark;

  public GenerateJob(SparkSession spark) {
    this.spark = spark;
  }

  /** Generates {@code config.generate().rows()} records into {@code out}; refuses an existing {@code out}. */
  public void run(MtlConfig config, String out) throws IOException {
    GenerateConfig g = config.generate();
    Path target = new Path(out);
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    FileSystem fs = target.getFileSystem(hadoop);
    HadoopFiles.checkNewOutput(hadoop, out);
    Path staging = StagingFolder.beside(target);
    try {
      long started = System.nanoTime();
      JobLabels.describe(spark, "generate", g.rows() + " records into " + target);
      LOG.info(
          "generating {} records in {} files per source (seed {}) into {}",
          g.rows(),
          g.files(),
          g.seed(),
          target);

      SyntheticRecord.Rates rates =
          new SyntheticRecord.Rates(
              g.missingModalityRate(), g.missingLabelRate(), g.malformedRate(), g.noise());
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      List<Integer> files = IntStream.range(0, g.files()).boxed().toList();
      JavaRDD<Integer> fileRdd = jsc.parallelize(files, g.files());
      long rows = g.rows();
      int nFiles = g.files();
      long seed = g.seed();
      int w = config.prep().image().width();
      int h = config.prep().image().height();
      String root = staging.toString();
      SerializableConf conf = new SerializableConf(hadoop);

      fileRdd.foreach(
          f -> writeTextFiles(conf.get(), root, f, range(rows, nFiles, f), seed, w, h, rates));
      if (g.images()) {
        JavaRDD<Row> images =
            fileRdd.flatMap(f -> imageRows(range(rows, nFiles, f), seed, w, h, rates));
        StructType schema =
            new StructType()
                .add("id", DataTypes.StringType, false)
                .add("pixels", DataTypes.BinaryType, false);
        spark
            .createDataFrame(images, schema)
            .write()
            .mode(SaveMode.ErrorIfExists)
            .parquet(new Path(staging, "images").toString());
      }

      HadoopFiles.renameOrFail(fs, staging, target);
      LOG.info(
          "generated {} records into {} in {}s",
          rows,
          target,
          (System.nanoTime() - started) / 1_000_000_000);
    } catch (IOException | RuntimeException | Error e) {
      StagingFolder.discard(spark, fs, staging, e);
      throw e;
    }
  }

  /** The index range [from, to) of records in file {@code f}. */
  static long[] range(long rows, int files, int f) {
    return new long[] {rows * f / files, rows * (f + 1) / files};
  }

  private static void writeTextFiles(
      Configuration conf,
      String root,
      int f,
      long[] range,
      long seed,
      int w,
      int h,
      SyntheticRecord.Rates rates)
      throws IOException {
    String name = String.format("part-%05d", f);
    FileSystem fs = new Path(root).getFileSystem(conf);
    try (BufferedWriter tab = open(fs, new Path(root, "tabular/" + name + ".csv"));
        BufferedWriter text = open(fs, new Path(root, "text/" + name + ".jsonl"));
        BufferedWriter labels = open(fs, new Path(root, "labels/" + name + ".csv"))) {
      tab.write(SyntheticRecord.TABULAR_HEADER);
      tab.newLine();
      labels.write(SyntheticRecord.LABELS_HEADER);
      labels.newLine();
      for (long i = range[0]; i < range[1]; i++) {
        SyntheticRecord rec = new SyntheticRecord(seed, i, w, h, rates);
        if (rec.hasTabular) {
          tab.write(rec.tabularCsv);
          tab.newLine();
        }
        if (rec.hasText) {
          text.write(rec.textJson());
          text.newLine();
        }
        labels.write(rec.labelsCsv);
        labels.newLine();
      }
    }
  }

  private static Iterator<Row> imageRows(
      long[] range, long seed, int w, int h, SyntheticRecord.Rates rates) {
    List<Row> out = new ArrayList<>();
    for (long i = range[0]; i < range[1]; i++) {
      SyntheticRecord rec = new SyntheticRecord(seed, i, w, h, rates);
      if (rec.hasImage) {
        out.add(RowFactory.create(rec.key, rec.imageBytes()));
      }
    }
    return out.iterator();
  }

  private static BufferedWriter open(FileSystem fs, Path path) {
    try {
      return new BufferedWriter(
          new OutputStreamWriter(fs.create(path, false), StandardCharsets.UTF_8), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }
}
