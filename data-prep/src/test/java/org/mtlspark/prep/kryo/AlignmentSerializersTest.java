package org.mtlspark.prep.kryo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.Reject;
import org.mtlspark.prep.source.SourceValues;
import scala.reflect.ClassTag$;

/** Spark's Kryo with our registrator: every record prep shuffles comes back field for field, nulls included. */
class AlignmentSerializersTest {
  static final SerializerInstance KRYO =
      new KryoSerializer(
              new SparkConf().set("spark.kryo.registrator", RecordKryoRegistrator.class.getName()))
          .newInstance();

  @SuppressWarnings("unchecked")
  static <T> T roundTrip(T value) {
    ByteBuffer bytes = KRYO.serialize(value, ClassTag$.MODULE$.apply(Object.class));
    return (T) KRYO.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
  }

  static void assertSame(SourceValues a, SourceValues b) {
    assertArrayEquals(a.numeric(), b.numeric());
    assertArrayEquals(a.categorical(), b.categorical());
    assertEquals(a.text(), b.text());
    assertArrayEquals(a.image(), b.image());
    assertArrayEquals(a.labels(), b.labels());
    assertEquals(a.timestamp(), b.timestamp());
  }

  @Test
  void sourceValuesWithAndWithoutEveryField() {
    SourceValues full =
        new SourceValues(
            new double[] {1.5, Double.NaN},
            new String[] {"a", null, "ünï"},
            "some text",
            new byte[] {1, 2, (byte) 255},
            new String[] {"3.5", null},
            "1260759144");
    assertSame(full, roundTrip(full));
    SourceValues empty = new SourceValues(null, null, null, null, null, null);
    assertSame(empty, roundTrip(empty));
    SourceValues zero =
        new SourceValues(new double[0], new String[0], "", new byte[0], new String[0], "");
    assertSame(zero, roundTrip(zero));
  }

  @Test
  void parsedRowsTaggedRowsRejectsAndAlignedRecords() {
    SourceValues v =
        new SourceValues(
            new double[] {2}, new String[] {"x"}, null, null, new String[] {"1"}, null);
    ParsedRow<SourceValues> ok =
        ParsedRow.ok("k\u001F7", "hdfs://nn/data/a.csv", 123_456_789_012L, v);
    SourceAligner.Tagged tagged = roundTrip(new SourceAligner.Tagged(3, ok));
    assertEquals(3, tagged.source());
    assertEquals("k\u001F7", tagged.row().key());
    assertEquals(123_456_789_012L, tagged.row().line());
    assertSame(v, tagged.row().value());

    Reject reject =
        new Reject("tabular", "a.csv", 9, "k", "income", "not a finite number", "raw,line");
    ParsedRow<SourceValues> bad = roundTrip(ParsedRow.rejected(reject));
    assertNull(bad.value());
    assertEquals(reject, bad.reject());

    AlignedRecord r =
        new AlignedRecord(
            "k",
            new SourceValues[] {v, null},
            AlignedRecord.Status.NO_LABELS,
            null,
            new int[] {1, 0});
    AlignedRecord back = roundTrip(r);
    assertEquals("k", back.key());
    assertSame(v, back.sources()[0]);
    assertNull(back.sources()[1]);
    assertEquals(AlignedRecord.Status.NO_LABELS, back.status());
    assertNull(back.droppedBy());
    assertArrayEquals(new int[] {1, 0}, back.rowCounts());
    AlignedRecord dropped =
        roundTrip(
            new AlignedRecord(
                "k", null, AlignedRecord.Status.MISSING_REQUIRED_SOURCE, "images", null));
    assertNull(dropped.sources());
    assertEquals("images", dropped.droppedBy());
  }
}
