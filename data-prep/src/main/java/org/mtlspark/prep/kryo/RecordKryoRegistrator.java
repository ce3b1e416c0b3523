package org.mtlspark.prep.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.serializer.KryoRegistrator;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.feature.BatchWriter;
import org.mtlspark.prep.feature.Example;
import org.mtlspark.prep.io.SerializableConf;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.Reject;
import org.mtlspark.prep.source.SourceValues;

/**
 * Teaches Spark's Kryo (version 4) two things it cannot do alone: serialize Java records (its
 * field serializer refuses them) through their components and canonical constructor, and read back
 * the JDK's immutable collections ({@code List.of}, {@code Map.of}, ...), which it would try to fill
 * by {@code add}. Listed after ND4J's registrator in {@code spark.kryo.registrator}.
 */
public final class RecordKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.addDefaultSerializer(Record.class, RecordSerializer.class);
    // Registered classes travel as a small id instead of their name with every shuffled record.
    // The records of every source row and aligned record: serializers written out field by field.
    AlignmentSerializers.registerAll(kryo);
    for (Class<?> c :
        List.of(
            SourceValues[].class,
            ParsedRow[].class,
            Reject.class,
            AlignedRecord.Status.class,
            SourceAligner.Picks.class,
            int[].class,
            Example.class,
            double[].class,
            double[][].class,
            float[].class,
            float[][].class,
            String[].class,
            byte[].class,
            // What prep's tasks send back to the driver (tallies travel as accumulators, which
            // Spark
            // serializes with Java serialization).
            BatchWriter.Stats.class,
            java.util.HashMap.class,
            java.util.TreeMap.class)) {
      kryo.register(c);
    }
    // Its Hadoop configuration is transient and written by writeObject, which Kryo's field
    // serializer would skip (a broadcast one arrived empty).
    kryo.register(SerializableConf.class, new JavaSerializer());
    for (Object list : List.of(List.of(), List.of(1), List.of(1, 2, 3))) {
      kryo.register(list.getClass(), new ImmutableListSerializer());
    }
    for (Object map : List.of(Map.of(), Map.of(1, 1), Map.of(1, 1, 2, 2, 3, 3))) {
      kryo.register(map.getClass(), new ImmutableMapSerializer());
    }
  }

  /** Writes the elements; reads them back into an immutable list. */
  public static final class ImmutableListSerializer extends Serializer<List<Object>> {
    @Override
    public void write(Kryo kryo, Output output, List<Object> list) {
      output.writeInt(list.size(), true);
      for (Object o : list) {
        kryo.writeClassAndObject(output, o);
      }
    }

    @Override
    public List<Object> read(Kryo kryo, Input input, Class<List<Object>> type) {
      int n = input.readInt(true);
      List<Object> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(kryo.readClassAndObject(input));
      }
      return List.copyOf(out);
    }
  }

  /** Writes the entries; reads them back into an immutable map. */
  public static final class ImmutableMapSerializer extends Serializer<Map<Object, Object>> {
    @Override
    public void write(Kryo kryo, Output output, Map<Object, Object> map) {
      output.writeInt(map.size(), true);
      for (Map.Entry<Object, Object> e : map.entrySet()) {
        kryo.writeClassAndObject(output, e.getKey());
        kryo.writeClassAndObject(output, e.getValue());
      }
    }

    @Override
    public Map<Object, Object> read(Kryo kryo, Input input, Class<Map<Object, Object>> type) {
      int n = input.readInt(true);
      Map<Object, Object> out = new HashMap<>();
      for (int i = 0; i < n; i++) {
        out.put(kryo.readClassAndObject(input), kryo.readClassAndObject(input));
      }
      return Map.copyOf(out);
    }
  }

  /**
   * Writes each component with its class; reads them back through the canonical constructor. Kryo
   * makes one instance per record class, which looks the accessors and the constructor up once.
   */
  public static final class RecordSerializer extends Serializer<Record> {
    private final Method[] accessors;
    private final Constructor<?> constructor;

    public RecordSerializer(Class<?> type) {
      RecordComponent[] components = type.getRecordComponents();
      accessors = new Method[components.length];
      for (int i = 0; i < components.length; i++) {
        accessors[i] = components[i].getAccessor();
        accessors[i].setAccessible(true);
      }
      try {
        constructor =
            type.getDeclaredConstructor(
                Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        constructor.setAccessible(true);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException("no canonical constructor in " + type, e);
      }
    }

    @Override
    public void write(Kryo kryo, Output output, Record record) {
      for (Method accessor : accessors) {
        try {
          kryo.writeClassAndObject(output, accessor.invoke(record));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(
              "cannot read " + accessor.getName() + " of " + record.getClass(), e);
        }
      }
    }

    @Override
    public Record read(Kryo kryo, Input input, Class<Record> type) {
      Object[] values = new Object[accessors.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = kryo.readClassAndObject(input);
      }
      try {
        return (Record) constructor.newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot build " + type, e);
      }
    }
  }
}
