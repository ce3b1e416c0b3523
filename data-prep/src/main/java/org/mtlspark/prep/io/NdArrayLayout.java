package org.mtlspark.prep.io;

import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * ND4J's binary layout of one array ({@code Nd4j.write}), checked before ND4J reads it: ND4J
 * allocates whatever sizes the bytes declare, so a file from elsewhere could exhaust memory. An
 * array is two buffers, its shape information and its data, each an allocation mode, an element
 * count (long), an element type and the elements, strings as {@code DataOutput#writeUTF} writes
 * them. Every count must fit in the bytes that follow it, and the data must hold as many values as
 * the shape says.
 */
public final class NdArrayLayout {
  private static final Map<String, Integer> ELEMENT_BYTES =
      Map.of("LONG", 8, "INT", 4, "DOUBLE", 8, "FLOAT", 4, "HALF", 2, "BFLOAT16", 2);

  /** ND4J's largest rank. */
  private static final int MAX_RANK = 32;

  private NdArrayLayout() {}

  /** An array that is not laid out as ND4J writes one; the message says where and why. */
  public static final class MalformedException extends IOException {
    private static final long serialVersionUID = 1L;

    MalformedException(String message) {
      super(message);
    }
  }

  /**
   * Checks the array at the position of {@code in} and moves past it. Byte offsets in errors are
   * {@code base} plus the position in {@code in}.
   */
  public static void skip(ByteBuffer in, long base) throws MalformedException {
    try {
      long shapeAt = base + in.position();
      skipUtf(in);
      long count = in.getLong();
      String type = utf(in);
      if (!type.equals("LONG")
          || count < 4
          || count > 2L * MAX_RANK + 4
          || count * Long.BYTES > in.remaining()) {
        throw new MalformedException(
            "its shape at byte "
                + shapeAt
                + " declares "
                + count
                + " values of type "
                + printable(type)
                + " where "
                + in.remaining()
                + " bytes are left");
      }
      long[] info = new long[(int) count];
      for (int i = 0; i < info.length; i++) {
        info[i] = in.getLong();
      }
      long elements = elements(info, shapeAt);
      long dataAt = base + in.position();
      skipUtf(in);
      long declared = in.getLong();
      String dataType = utf(in);
      Integer width = ELEMENT_BYTES.get(dataType);
      long bytes = -1;
      if (width != null && declared >= 0) {
        try {
          bytes = Math.multiplyExact(declared, (long) width);
        } catch (ArithmeticException e) {
          bytes = -1;
        }
      }
      if (bytes < 0 || bytes > in.remaining()) {
        throw new MalformedException(
            "its data at byte "
                + dataAt
                + " declares "
                + declared
                + " values of type "
                + printable(dataType)
                + " where "
                + in.remaining()
                + " bytes are left");
      }
      if (declared != elements) {
        throw new MalformedException(
            "its data at byte "
                + dataAt
                + " holds "
                + declared
                + " values where its shape says "
                + elements);
      }
      in.position(in.position() + (int) bytes);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedException(
          "it ends inside an array (at byte " + (base + in.position()) + ")");
    }
  }

  /** The element count of shape information: rank, dimensions, strides, extras, element stride, order. */
  private static long elements(long[] info, long at) throws MalformedException {
    long rank = info[0];
    if (rank < 0 || info.length != 2 * rank + 4) {
      throw new MalformedException(
          "its shape at byte " + at + " (" + info.length + " values) does not fit rank " + rank);
    }
    long elements = 1;
    for (int i = 1; i <= rank; i++) {
      if (info[i] < 0) {
        throw new MalformedException(
            "its shape at byte " + at + " has a negative dimension " + info[i]);
      }
      try {
        elements = Math.multiplyExact(elements, info[i]);
      } catch (ArithmeticException e) {
        throw new MalformedException(
            "its shape at byte " + at + " has dimensions whose product passes 2^63");
      }
    }
    return elements;
  }

  private static void skipUtf(ByteBuffer in) {
    int length = Short.toUnsignedInt(in.getShort());
    if (length > in.remaining()) {
      throw new BufferUnderflowException();
    }
    in.position(in.position() + length);
  }

  private static String utf(ByteBuffer in) {
    int length = Short.toUnsignedInt(in.getShort());
    byte[] bytes = new byte[Math.min(length, in.remaining())];
    if (bytes.length < length) {
      throw new BufferUnderflowException();
    }
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Text from a file, cut short and with control characters shown as '?'. */
  public static String printable(String text) {
    String shown = text.length() > 200 ? text.substring(0, 200) + "..." : text;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }
}
