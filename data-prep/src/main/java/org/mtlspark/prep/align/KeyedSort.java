package org.mtlspark.prep.align;

import static org.apache.spark.sql.functions.col;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.io.UnsafeInput;
import com.esotericsoftware.kryo.io.UnsafeOutput;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.Serializer;
import org.apache.spark.serializer.SerializerInstance;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.prep.io.Iterators;
import org.mtlspark.prep.split.SplitOrder;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * One shuffle that brings the values of each key together, in the order they are to be written:
 * partitions by a hash of the key, each holding its keys sorted by a position (such as {@link
 * SplitOrder#position}; then by key, where two keys share a position), every key's values in one
 * list. Spark SQL does the sorting: each value travels as its serialized bytes beside its position
 * and key, and the sorter orders the positions by radix sort in binary pages, spilling to disk as
 * needed, where sorting the objects themselves would chase a pointer per comparison.
 */
public final class KeyedSort {
  private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);
  private static final StructType SCHEMA =
      new StructType()
          .add("position", DataTypes.LongType, false)
          .add("key", DataTypes.StringType, false)
          .add("value", DataTypes.BinaryType, false);

  private KeyedSort() {}

  /** Where a key's values are sorted within their partition. */
  @FunctionalInterface
  public interface Position extends java.io.Serializable {
    long of(String key);
  }

  /** The values of each key, in {@code partitions} partitions, each in (position, key) order. */
  public static <T> JavaRDD<List<T>> group(
      SparkSession spark,
      JavaRDD<T> values,
      Function<T, String> key,
      Position position,
      int partitions) {
    JavaRDD<Row> rows =
        values.mapPartitions(
            it -> {
              Codec codec = new Codec();
              return Iterators.map(
                  it,
                  v -> {
                    String k = keyOf(key, v);
                    return RowFactory.create(position.of(k), k, codec.bytes(v));
                  });
            });
    // Sorted by the position alone, so that the sorter can use radix sort on it; the rare keys
    // that share a position are told apart below.
    JavaRDD<InternalRow> sorted =
        spark
            .createDataFrame(rows, SCHEMA)
            .repartition(partitions, col("key"))
            .sortWithinPartitions("position")
            .queryExecution()
            .toRdd()
            .toJavaRDD();
    return sorted.mapPartitions(it -> new Groups<>(it, new Codec()));
  }

  private static <T> String keyOf(Function<T, String> key, T value) {
    try {
      return key.call(value);
    } catch (Exception e) {
      throw new IllegalStateException("cannot take the key of " + value, e);
    }
  }

  /** The values of a partition sorted by position, gathered by key. */
  private static final class Groups<T> implements Iterator<List<T>> {
    private final Iterator<InternalRow> rows;
    private final Codec codec;
    private final ArrayDeque<List<T>> ready = new ArrayDeque<>();
    private boolean pending;
    private long position;
    private String key;
    private T value;

    Groups(Iterator<InternalRow> rows, Codec codec) {
      this.rows = rows;
      this.codec = codec;
      advance();
    }

    /** Reads the next row's fields (the row object itself is reused by the sorter). */
    @SuppressWarnings("unchecked")
    private void advance() {
      pending = rows.hasNext();
      if (pending) {
        InternalRow r = rows.next();
        position = r.getLong(0);
        key = r.getUTF8String(1).toString();
        value = (T) codec.value(r.getBinary(2));
      }
    }

    @Override
    public boolean hasNext() {
      return !ready.isEmpty() || pending;
    }

    @Override
    public List<T> next() {
      if (ready.isEmpty()) {
        if (!pending) {
          throw new NoSuchElementException();
        }
        // All rows at one position; almost always a single key.
        long at = position;
        TreeMap<String, List<T>> byKey = new TreeMap<>();
        while (pending && position == at) {
          byKey.computeIfAbsent(key, k -> new ArrayList<>(4)).add(value);
          advance();
        }
        ready.addAll(byKey.values());
      }
      return ready.poll();
    }
  }

  /**
   * Values to bytes and back with Spark's serializer. With Kryo (as configured), one Kryo instance
   * serves a whole partition, instead of a borrow from Spark's pool and a reset per value.
   */
  private static final class Codec {
    private final Kryo kryo;
    private final Output output;
    private final Input input;
    private final SerializerInstance serializer;

    Codec() {
      Serializer configured = SparkEnv.get().serializer();
      if (configured instanceof KryoSerializer k) {
        kryo = k.newKryo();
        output = k.newKryoOutput();
        input = output instanceof UnsafeOutput ? new UnsafeInput() : new Input();
        serializer = null;
      } else {
        kryo = null;
        output = null;
        input = null;
        serializer = configured.newInstance();
      }
    }

    byte[] bytes(Object value) {
      if (kryo == null) {
        ByteBuffer b = serializer.serialize(value, ANY);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
      }
      output.clear();
      kryo.writeClassAndObject(output, value);
      return output.toBytes();
    }

    Object value(byte[] bytes) {
      if (kryo == null) {
        return serializer.deserialize(ByteBuffer.wrap(bytes), ANY);
      }
      input.setBuffer(bytes);
      return kryo.readClassAndObject(input);
    }
  }
}
