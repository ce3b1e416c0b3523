package org.mtlspark.prep.feature;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes featurized examples as Parquet, one row per record: the key (its columns joined by
 * U+001F when composite), one float list column per model input in use, and per task its target
 * ({@code label_<task>}) and mask ({@code mask_<task>}, 0 when the label is missing). These are the
 * rows the batches hold, for inspection and for other tools, but for one thing: {@code text} is a
 * list of int token ids without the padding, the ids under the batch's token mask (a record
 * without text has the one "no text" id). Each Spark partition writes its own file, in the same
 * pass that writes its batches, straight from the examples' arrays.
 */
public final class ExampleWriter implements Closeable {
  private final ParquetWriter<Example> writer;

  /** Creates (or, for a retried Spark task, replaces) the Parquet file at {@code file}. */
  public ExampleWriter(Configuration conf, Path file, FeaturizerState state) throws IOException {
    List<String> inputs = state.inputs();
    MessageType schema = schema(state);
    // Feature values rarely repeat: dictionary encoding would only cost time.
    writer =
        new Builder(file, schema, inputs)
            .withConf(conf)
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(CompressionCodecName.SNAPPY)
            .withDictionaryEncoding(false)
            .build();
  }

  public void write(Example e) throws IOException {
    writer.write(e);
  }

  @Override
  public void close() throws IOException {
    writer.close();
  }

  /** The Parquet schema of the examples of a featurizer state. */
  public static MessageType schema(FeaturizerState state) {
    Types.MessageTypeBuilder b = Types.buildMessage();
    b.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("key");
    for (String input : state.inputs()) {
      b.repeated(
              input.equals(ModelInputs.TEXT) || input.equals(ModelInputs.IDS)
                  ? PrimitiveTypeName.INT32
                  : PrimitiveTypeName.FLOAT)
          .named(input);
    }
    for (TaskEncoding t : state.tasks()) {
      b.repeated(PrimitiveTypeName.FLOAT).named("label_" + t.name());
      b.required(PrimitiveTypeName.FLOAT).named("mask_" + t.name());
    }
    return b.named("example");
  }

  private static final class Builder extends ParquetWriter.Builder<Example, Builder> {
    private final MessageType schema;
    private final List<String> inputs;

    Builder(Path file, MessageType schema, List<String> inputs) {
      super(file);
      this.schema = schema;
      this.inputs = inputs;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Example> getWriteSupport(Configuration conf) {
      return new Support(schema, inputs);
    }
  }

  /**
   * Emits an example field by field, in schema order. Vectors are repeated float fields (the
   * two-level list form that the Parquet format's compatibility rules read as a list, and Spark as
   * an array of floats): a value per element, where a three-level list would also open and close a
   * group per element.
   */
  private static final class Support extends WriteSupport<Example> {
    private final MessageType schema;
    private final List<String> inputs;
    private RecordConsumer out;

    Support(MessageType schema, List<String> inputs) {
      this.schema = schema;
      this.inputs = inputs;
    }

    @Override
    public WriteContext init(Configuration configuration) {
      return new WriteContext(schema, new HashMap<>());
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
      out = recordConsumer;
    }

    @Override
    public void write(Example e) {
      out.startMessage();
      int field = 0;
      out.startField("key", field);
      out.addBinary(Binary.fromString(e.key()));
      out.endField("key", field++);
      for (String input : inputs) {
        switch (input) {
          case ModelInputs.TABULAR -> list(input, field++, e.tabular());
          case ModelInputs.TEXT -> tokens(input, field++, e.tokens(), e.tokenMask());
          case ModelInputs.IMAGE -> list(input, field++, e.pixels());
          case ModelInputs.IDS -> ints(input, field++, e.ids());
          default -> list(input, field++, e.presence());
        }
      }
      for (int t = 0; t < e.labels().length; t++) {
        String task = schema.getFieldName(field).substring("label_".length());
        list("label_" + task, field++, e.labels()[t]);
        out.startField("mask_" + task, field);
        out.addFloat(e.labelMask()[t]);
        out.endField("mask_" + task, field++);
      }
      out.endMessage();
    }

    /** The token ids under the mask (a prefix of the padded ids) as a repeated int field. */
    private void tokens(String name, int index, float[] ids, float[] mask) {
      int n = 0;
      while (n < mask.length && mask[n] != 0) {
        n++;
      }
      if (n == 0) {
        return;
      }
      out.startField(name, index);
      for (int i = 0; i < n; i++) {
        out.addInteger((int) ids[i]);
      }
      out.endField(name, index);
    }

    /** Whole numbers held as floats (identifier indices) as a repeated int field. */
    private void ints(String name, int index, float[] values) {
      if (values.length == 0) {
        return;
      }
      out.startField(name, index);
      for (float v : values) {
        out.addInteger((int) v);
      }
      out.endField(name, index);
    }

    /** A vector as a repeated field: one value after the other, nothing for an empty one. */
    private void list(String name, int index, float[] values) {
      if (values.length == 0) {
        return;
      }
      out.startField(name, index);
      for (float v : values) {
        out.addFloat(v);
      }
      out.endField(name, index);
    }
  }
}
