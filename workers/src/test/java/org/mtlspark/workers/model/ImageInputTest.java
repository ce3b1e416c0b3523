package org.mtlspark.workers.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The prepared images as an imported encoder reads them: layout and Keras's normalisations. */
class ImageInputTest {
  /** One 1 x 2 image of three planes: red 0.1 0.2, green 0.3 0.4, blue 0.5 0.6. */
  static final INDArray PLANES = Nd4j.create(new float[][] {{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}});

  static double at(INDArray out, int c, int x) {
    return out.getDouble(0, c, 0, x);
  }

  @Test
  void channelsFirstOrLastHoldTheSamePixels() {
    INDArray first = new ImageInput(1, 2, 3, CNN2DFormat.NCHW, "none").apply(PLANES);
    INDArray last = new ImageInput(1, 2, 3, CNN2DFormat.NHWC, "none").apply(PLANES);
    assertArrayEquals(new long[] {1, 3, 1, 2}, first.shape());
    assertArrayEquals(new long[] {1, 1, 2, 3}, last.shape());
    assertEquals(0.4, at(first, 1, 1), 1e-6, "green, second pixel");
    assertEquals(0.4, last.getDouble(0, 0, 1, 1), 1e-6, "green, second pixel, channels last");
    assertEquals(0.5, last.getDouble(0, 0, 0, 2), 1e-6, "blue, first pixel");
  }

  @Test
  void kerasNormalisationsScaleTakeTheMeanAndReorderAsPreprocessInputDoes() {
    INDArray tf = new ImageInput(1, 2, 3, CNN2DFormat.NCHW, "tf").apply(PLANES);
    assertEquals(0.1 * 2 - 1, at(tf, 0, 0), 1e-6);
    INDArray torch = new ImageInput(1, 2, 3, CNN2DFormat.NCHW, "torch").apply(PLANES);
    assertEquals((0.1 - 0.485) / 0.229, at(torch, 0, 0), 1e-5);
    assertEquals((0.6 - 0.406) / 0.225, at(torch, 2, 1), 1e-5);
    INDArray caffe = new ImageInput(1, 2, 3, CNN2DFormat.NCHW, "caffe").apply(PLANES);
    assertEquals(0.5 * 255 - 103.939, at(caffe, 0, 0), 1e-3, "blue first, its mean");
    assertEquals(0.2 * 255 - 123.68, at(caffe, 2, 1), 1e-3, "red last, its mean");
    assertThrows(
        IllegalArgumentException.class, () -> new ImageInput(1, 2, 3, CNN2DFormat.NCHW, "zca"));
  }
}
