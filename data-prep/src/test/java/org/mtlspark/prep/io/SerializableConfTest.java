package org.mtlspark.prep.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.JavaSerializer;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import org.mtlspark.prep.kryo.RecordKryoRegistrator;
import scala.reflect.ClassTag$;

/**
 * A Hadoop configuration arrives whole through both of Spark's serializers: Java's (closures) and
 * Kryo with our registrator (broadcasts, under the serializer the jobs set).
 */
class SerializableConfTest {
  static SerializableConf roundTrip(Serializer serializer, SerializableConf value) {
    SerializerInstance s = serializer.newInstance();
    ByteBuffer bytes = s.serialize(value, ClassTag$.MODULE$.apply(Object.class));
    return (SerializableConf) s.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
  }

  @Test
  void theSettingsSurviveJavaAndKryo() {
    Configuration conf = new Configuration(false);
    conf.set("fs.s3a.endpoint", "http://store.example:9000");
    conf.setInt("io.file.buffer.size", 65536);
    SparkConf spark =
        new SparkConf().set("spark.kryo.registrator", RecordKryoRegistrator.class.getName());
    for (Serializer serializer :
        new Serializer[] {new JavaSerializer(spark), new KryoSerializer(spark)}) {
      Configuration back = roundTrip(serializer, new SerializableConf(conf)).get();
      assertEquals("http://store.example:9000", back.get("fs.s3a.endpoint"), serializer.toString());
      assertEquals(65536, back.getInt("io.file.buffer.size", 0), serializer.toString());
    }
  }
}
