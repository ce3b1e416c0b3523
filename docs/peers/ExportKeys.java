import org.apache.spark.sql.SparkSession;

/** Writes the keys of each split of prepared data sets as CSV (PREP-keys/SPLIT/), for peers run on the same split. */
public class ExportKeys {
  public static void main(String[] args) {
    SparkSession s = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false").getOrCreate();
    for (String prep : args) {
      for (String split : new String[] {"train", "validation", "test"}) {
        s.read().parquet(prep + "/examples/" + split).select("key").coalesce(1).write().mode("overwrite")
            .csv(prep + "-keys/" + split);
      }
    }
    s.stop();
  }
}
