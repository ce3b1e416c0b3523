package org.mtlspark.prep.io;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Teaches Spark's Kryo (version 4, which cannot build its field serializer for Java records) to
 * serialize records through their components and canonical constructor. Listed after ND4J's
 * registrator in {@code spark.kryo.registrator}.
 */
public final class RecordKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    kryo.addDefaultSerializer(Record.class, RecordSerializer.class);
  }

  /** Writes each component with its class; reads them back through the canonical constructor. */
  public static final class RecordSerializer extends Serializer<Record> {
    @Override
    public void write(Kryo kryo, Output output, Record record) {
      for (RecordComponent c : record.getClass().getRecordComponents()) {
        try {
          kryo.writeClassAndObject(output, c.getAccessor().invoke(record));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass(), e);
        }
      }
    }

    @Override
    public Record read(Kryo kryo, Input input, Class<Record> type) {
      RecordComponent[] components = type.getRecordComponents();
      Object[] values = new Object[components.length];
      for (int i = 0; i < components.length; i++) {
        values[i] = kryo.readClassAndObject(input);
      }
      try {
        Constructor<Record> ctor = type.getDeclaredConstructor(
            Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new));
        ctor.setAccessible(true);
        return ctor.newInstance(values);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot build " + type, e);
      }
    }
  }
}
