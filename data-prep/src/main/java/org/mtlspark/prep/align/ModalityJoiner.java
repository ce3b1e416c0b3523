package org.mtlspark.prep.align;

import java.io.Serializable;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.mtlspark.prep.source.LabelValues;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.TabularValues;
import scala.Tuple2;
import scala.Tuple4;

/**
 * Exact join of the accepted rows of every source on the key (a full outer join: a record exists
 * when any source has its key). Among rows of one source with the same key the first in (file,
 * line) order is kept and the others are counted as duplicates.
 */
public final class ModalityJoiner {
  private ModalityJoiner() {}

  public static JavaRDD<AlignedRecord> join(
      JavaRDD<ParsedRow<TabularValues>> tabular,
      JavaRDD<ParsedRow<String>> text,
      JavaRDD<ParsedRow<byte[]>> image,
      JavaRDD<ParsedRow<LabelValues>> labels,
      int partitions) {
    JavaPairRDD<String, Tuple4<Iterable<ParsedRow<TabularValues>>, Iterable<ParsedRow<String>>,
        Iterable<ParsedRow<byte[]>>, Iterable<ParsedRow<LabelValues>>>> grouped =
        keyed(tabular).cogroup(keyed(text), keyed(image), keyed(labels), partitions);
    return grouped.map(e -> {
      Pick<TabularValues> t = first(e._2()._1());
      Pick<String> x = first(e._2()._2());
      Pick<byte[]> i = first(e._2()._3());
      Pick<LabelValues> l = first(e._2()._4());
      return new AlignedRecord(e._1(), t.value, x.value, i.value, l.value,
          t.duplicates + x.duplicates + i.duplicates + l.duplicates);
    });
  }

  private static <T extends Serializable> JavaPairRDD<String, ParsedRow<T>> keyed(JavaRDD<ParsedRow<T>> rows) {
    return rows.filter(ParsedRow::isOk).mapToPair(r -> new Tuple2<>(r.key(), r));
  }

  private record Pick<T>(T value, int duplicates) {}

  private static <T extends Serializable> Pick<T> first(Iterable<ParsedRow<T>> rows) {
    ParsedRow<T> best = null;
    int n = 0;
    for (ParsedRow<T> r : rows) {
      n++;
      if (best == null || r.before(best)) {
        best = r;
      }
    }
    return new Pick<>(best == null ? null : best.value(), Math.max(0, n - 1));
  }
}
