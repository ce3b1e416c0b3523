package org.mtlspark.workers.model;

import java.util.Arrays;
import java.util.List;

/**
 * The parameters of one of this package's layers, in the order they sit in the layer's slice of
 * the network's flat parameter vector, each stored in c order.
 */
interface ParamLayout {

  /** One parameter: its name, shape, whether it is a bias, and the fan-in and fan-out its initialization uses. */
  record Param(String name, long[] shape, boolean bias, long fanIn, long fanOut) {
    long length() {
      return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    }
  }

  List<Param> params();
}
