package org.mtlspark.prep.io;

import java.util.Iterator;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/** Lazy iterator helpers for partitions that are streamed, never held whole. */
public final class Iterators {
  private Iterators() {}

  /** Reads the next element of a stream, or null at its end. */
  @FunctionalInterface
  public interface Reader<A> {
    A read() throws java.io.IOException;
  }

  /** The elements {@code reader} gives until it gives null, read one ahead of the one taken. */
  public static <A> Iterator<A> until(Reader<A> reader) {
    return new Iterator<>() {
      private A next = read();

      private A read() {
        try {
          return reader.read();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public A next() {
        if (next == null) {
          throw new java.util.NoSuchElementException();
        }
        A taken = next;
        next = read();
        return taken;
      }
    };
  }

  /** {@code f} applied to each element as it is taken. */
  public static <A, B> Iterator<B> map(Iterator<A> in, Function<A, B> f) {
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public B next() {
        return f.apply(in.next());
      }
    };
  }

  /**
   * The elements of {@code in}, each counted into {@code tally} as it is taken; once the last has
   * been taken, the tally goes to {@code done}, once.
   */
  public static <A, T> Iterator<A> counted(
      Iterator<A> in, T tally, BiConsumer<T, A> count, Consumer<T> done) {
    return new Iterator<>() {
      private boolean finished;

      @Override
      public boolean hasNext() {
        boolean more = in.hasNext();
        if (!more && !finished) {
          finished = true;
          done.accept(tally);
        }
        return more;
      }

      @Override
      public A next() {
        A a = in.next();
        count.accept(tally, a);
        return a;
      }
    };
  }
}
