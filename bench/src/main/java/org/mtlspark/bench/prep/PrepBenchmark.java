package org.mtlspark.bench.prep;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.DataConfig;
import org.mtlspark.config.GenerateConfig;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prep at scale, in one process: generates the built-in data without images, then times (a) a
 * bare Spark SQL full outer join of the same sources on the key, written as Parquet, and (b)
 * {@code prep} on them, and samples the driver's heap during each. Prints rows per second and
 * the ratio of (b) to (a).
 */
public final class PrepBenchmark {
  private static final Logger LOG = LoggerFactory.getLogger(PrepBenchmark.class);

  /** The figures of one data size. */
  public record Result(
      long records,
      long sourceRows,
      double joinSeconds,
      double prepSeconds,
      double ratio,
      double prepRowsPerSecond,
      long joinPeakHeapMB,
      long prepPeakHeapMB) {}

  private final SparkSession spark;

  public PrepBenchmark(SparkSession spark) {
    this.spark = spark;
  }

  public Result run(MtlConfig base, long records, String work) throws IOException {
    MtlConfig config = withoutImages(base, records);
    String data = work + "/data-" + records;
    String joined = work + "/joined-" + records;
    String prepared = work + "/prep-" + records;
    new GenerateJob(spark).run(config, data);

    HeapSampler joinHeap = new HeapSampler();
    long t0 = System.nanoTime();
    bareJoin(data, joined);
    double joinSeconds = (System.nanoTime() - t0) / 1e9;
    long joinPeak = joinHeap.stop();

    HeapSampler prepHeap = new HeapSampler();
    long t1 = System.nanoTime();
    Manifest m = new PrepJob(spark).run(config, data, prepared);
    double prepSeconds = (System.nanoTime() - t1) / 1e9;
    long prepPeak = prepHeap.stop();

    long rows = m.counts().sources().values().stream().mapToLong(Manifest.SourceCount::rows).sum();
    Result r =
        new Result(
            records,
            rows,
            joinSeconds,
            prepSeconds,
            prepSeconds / joinSeconds,
            rows / prepSeconds,
            joinPeak >> 20,
            prepPeak >> 20);
    LOG.info("prep benchmark at {} records: {}", records, r);
    return r;
  }

  /** The built-in data without its image source, with {@code records} records. */
  public static MtlConfig withoutImages(MtlConfig c, long records) {
    List<SourceConfig> sources = c.data().sources().stream().filter(s -> !s.hasImage()).toList();
    DataConfig data =
        new DataConfig(c.data().root(), c.data().key(), c.data().nullToken(), sources);
    GenerateConfig g = c.generate();
    GenerateConfig gen =
        new GenerateConfig(
            records,
            g.seed(),
            g.files(),
            g.missingModalityRate(),
            g.missingLabelRate(),
            g.malformedRate(),
            g.noise(),
            false);
    return new MtlConfig(c.run(), data, c.prep(), c.model(), c.tasks(), c.train(), gen);
  }

  /** What prep is compared with: Spark SQL reads the sources and full-outer-joins them on the key into Parquet. */
  private void bareJoin(String data, String out) {
    Dataset<Row> tabular = spark.read().option("header", "true").csv(data + "/tabular");
    // The columns prep reads (the lines also hold a support request the defaults leave unread).
    Dataset<Row> text =
        spark.read().json(data + "/text").select("id", "text").withColumnRenamed("id", "text_id");
    Dataset<Row> labels =
        spark
            .read()
            .option("header", "true")
            .csv(data + "/labels")
            .withColumnRenamed("id", "label_id");
    tabular
        .join(text, col("id").equalTo(col("text_id")), "full_outer")
        .join(labels, col("id").equalTo(col("label_id")), "full_outer")
        .write()
        .parquet(new Path(out).toString());
  }

  /** Samples the used heap every 20 ms from a GC onwards; {@link #stop()} returns the peak in bytes. */
  static final class HeapSampler {
    private final AtomicLong peak = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    HeapSampler() {
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      System.gc();
      thread =
          new Thread(
              () -> {
                while (running) {
                  peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                  try {
                    Thread.sleep(20);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "heap-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    long stop() {
      running = false;
      thread.interrupt();
      return peak.get();
    }
  }
}
