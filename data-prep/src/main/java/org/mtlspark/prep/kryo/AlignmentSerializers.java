package org.mtlspark.prep.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.Serializable;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.SourceAligner;
import org.mtlspark.prep.source.ParsedRow;
import org.mtlspark.prep.source.Reject;
import org.mtlspark.prep.source.SourceValues;

/**
 * Kryo serializers written out for the records that every source row and every aligned record
 * become on their way through prep's shuffles: fields in a fixed order, arrays as a length (0 for
 * null) and their elements, no class names, no reflection and no boxing per field.
 */
final class AlignmentSerializers {
  private AlignmentSerializers() {}

  static void registerAll(Kryo kryo) {
    kryo.register(SourceValues.class, new SourceValuesSerializer());
    kryo.register(ParsedRow.class, new ParsedRowSerializer());
    kryo.register(SourceAligner.Tagged.class, new TaggedSerializer());
    kryo.register(AlignedRecord.class, new AlignedRecordSerializer());
  }

  static void writeStrings(Output out, String[] values) {
    if (values == null) {
      out.writeInt(0, true);
      return;
    }
    out.writeInt(values.length + 1, true);
    for (String v : values) {
      out.writeString(v);
    }
  }

  static String[] readStrings(Input in) {
    int n = in.readInt(true) - 1;
    if (n < 0) {
      return null;
    }
    String[] values = new String[n];
    for (int i = 0; i < n; i++) {
      values[i] = in.readString();
    }
    return values;
  }

  static void writeLength(Output out, Object array, int length) {
    out.writeInt(array == null ? 0 : length + 1, true);
  }

  /** SourceValues: numeric, categorical, text, image, labels, timestamp. */
  static final class SourceValuesSerializer extends Serializer<SourceValues> {
    @Override
    public void write(Kryo kryo, Output out, SourceValues v) {
      double[] numeric = v.numeric();
      writeLength(out, numeric, numeric == null ? 0 : numeric.length);
      if (numeric != null) {
        out.writeDoubles(numeric);
      }
      writeStrings(out, v.categorical());
      out.writeString(v.text());
      byte[] image = v.image();
      writeLength(out, image, image == null ? 0 : image.length);
      if (image != null) {
        out.writeBytes(image);
      }
      writeStrings(out, v.labels());
      out.writeString(v.timestamp());
    }

    @Override
    public SourceValues read(Kryo kryo, Input in, Class<SourceValues> type) {
      int n = in.readInt(true) - 1;
      double[] numeric = n < 0 ? null : in.readDoubles(n);
      String[] categorical = readStrings(in);
      String text = in.readString();
      int m = in.readInt(true) - 1;
      byte[] image = m < 0 ? null : in.readBytes(m);
      return new SourceValues(numeric, categorical, text, image, readStrings(in), in.readString());
    }
  }

  /** ParsedRow: key, file, line, then its value (a SourceValues without its class) or its reject. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  static final class ParsedRowSerializer extends Serializer<ParsedRow> {
    private static final byte SOURCE_VALUES = 1;
    private static final byte OTHER = 2;
    private static final byte REJECT = 3;

    @Override
    public void write(Kryo kryo, Output out, ParsedRow row) {
      out.writeString(row.key());
      out.writeString(row.file());
      out.writeVarLong(row.line(), true);
      if (row.value() instanceof SourceValues v) {
        out.writeByte(SOURCE_VALUES);
        kryo.writeObject(out, v);
      } else if (row.value() != null) {
        out.writeByte(OTHER);
        kryo.writeClassAndObject(out, row.value());
      } else {
        out.writeByte(REJECT);
        kryo.writeObject(out, row.reject());
      }
    }

    @Override
    public ParsedRow read(Kryo kryo, Input in, Class<ParsedRow> type) {
      String key = in.readString();
      String file = in.readString();
      long line = in.readVarLong(true);
      return switch (in.readByte()) {
        case SOURCE_VALUES ->
            new ParsedRow<>(key, file, line, kryo.readObject(in, SourceValues.class), null);
        case OTHER ->
            new ParsedRow<>(key, file, line, (Serializable) kryo.readClassAndObject(in), null);
        default -> new ParsedRow<>(key, file, line, null, kryo.readObject(in, Reject.class));
      };
    }
  }

  /** Tagged: the source index and its row. */
  static final class TaggedSerializer extends Serializer<SourceAligner.Tagged> {
    @Override
    public void write(Kryo kryo, Output out, SourceAligner.Tagged t) {
      out.writeInt(t.source(), true);
      kryo.writeObject(out, t.row());
    }

    @Override
    @SuppressWarnings("unchecked")
    public SourceAligner.Tagged read(Kryo kryo, Input in, Class<SourceAligner.Tagged> type) {
      int source = in.readInt(true);
      return new SourceAligner.Tagged(source, kryo.readObject(in, ParsedRow.class));
    }
  }

  /** AlignedRecord: key, each source's values (or none), status, the source that dropped it, row counts. */
  static final class AlignedRecordSerializer extends Serializer<AlignedRecord> {
    private static final AlignedRecord.Status[] STATUSES = AlignedRecord.Status.values();

    @Override
    public void write(Kryo kryo, Output out, AlignedRecord r) {
      out.writeString(r.key());
      SourceValues[] sources = r.sources();
      writeLength(out, sources, sources == null ? 0 : sources.length);
      if (sources != null) {
        for (SourceValues v : sources) {
          kryo.writeObjectOrNull(out, v, SourceValues.class);
        }
      }
      out.writeInt(r.status().ordinal(), true);
      out.writeString(r.droppedBy());
      int[] counts = r.rowCounts();
      writeLength(out, counts, counts == null ? 0 : counts.length);
      if (counts != null) {
        out.writeInts(counts, true);
      }
    }

    @Override
    public AlignedRecord read(Kryo kryo, Input in, Class<AlignedRecord> type) {
      String key = in.readString();
      int n = in.readInt(true) - 1;
      SourceValues[] sources = n < 0 ? null : new SourceValues[n];
      for (int i = 0; i < n; i++) {
        sources[i] = kryo.readObjectOrNull(in, SourceValues.class);
      }
      AlignedRecord.Status status = STATUSES[in.readInt(true)];
      String droppedBy = in.readString();
      int m = in.readInt(true) - 1;
      int[] counts = m < 0 ? null : in.readInts(m, true);
      return new AlignedRecord(key, sources, status, droppedBy, counts);
    }
  }
}
