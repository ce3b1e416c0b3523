package org.mtlspark.prep.io;

import java.util.Iterator;
import java.util.function.Function;

/** Lazy iterator helpers for partitions that are streamed, never held whole. */
public final class Iterators {
  private Iterators() {}

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
}
