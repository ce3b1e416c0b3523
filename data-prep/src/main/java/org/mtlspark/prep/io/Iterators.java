package org.mtlspark.prep.io;

import java.io.Serializable;
import java.util.Iterator;
import java.util.function.BiConsumer;
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

  /**
   * The elements of {@code in}, each counted into {@code tally} as it is taken; once the last has
   * been taken, the tally goes to {@code sum}.
   */
  public static <A, T extends Serializable> Iterator<A> counted(Iterator<A> in, T tally, BiConsumer<T, A> count,
      MergingAccumulator<T> sum) {
    return new Iterator<>() {
      private boolean done;

      @Override
      public boolean hasNext() {
        boolean more = in.hasNext();
        if (!more && !done) {
          done = true;
          sum.add(tally);
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
