package org.mtlspark.bench.train;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.prep.PrepJob;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.generate.GenerateJob;
import org.mtlspark.prep.manifest.Manifest;
import org.mtlspark.workers.model.GraphBuilder;

/** The built-in multimodal data set and model, generated and prepared by the product's own jobs. */
public final class MultimodalWorkload {
  private MultimodalWorkload() {}

  public static Workload create(SparkSession spark, MtlConfig config, String dir)
      throws IOException {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    String data = dir + "/data";
    String prep = dir + "/prep";
    new GenerateJob(spark).run(config, data);
    Manifest m = new PrepJob(spark).run(config, data, prep);
    List<String> trainFiles = m.batches(hadoop, prep, "train");
    List<String> testFiles = m.batches(hadoop, prep, "test");
    return new Workload(
        "multimodal",
        "built-in data, "
            + config.generate().rows()
            + " records; tabular + text + "
            + "image encoders, trunk "
            + config.model().trunk()
            + ", 3 heads",
        s -> GraphBuilder.build(m.featurizers(), config.model(), config.train(), s),
        trainFiles,
        List.copyOf(BatchFiles.readAll(hadoop, testFiles)),
        m.featurizers().tasks(),
        m.batchSize(),
        null);
  }
}
