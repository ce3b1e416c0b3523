package org.mtlspark.workers.eval;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The baseline of a caption task: the caption of the nearest training image, by Euclidean distance
 * between the pixels, among up to {@link #MOST} captioned training records (the first ones of the
 * training batches; fewer when their pixels would pass {@link #MOST_PIXELS}).
 */
public final class CaptionNeighbours implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The most training images searched. */
  public static final int MOST = 5000;

  /** The most pixels kept in all (64 MB of floats): fewer images when they are large. */
  static final long MOST_PIXELS = 16L << 20;

  private final int task;
  private final int width;
  private final float[] pixels;
  private final int[][] captions;

  /** The images as a [count, pixels] matrix and their squared norms [1, count], made once. */
  private transient INDArray training;

  private transient INDArray norms;

  CaptionNeighbours(int task, int width, float[] pixels, int[][] captions) {
    this.task = task;
    this.width = width;
    this.pixels = pixels;
    this.captions = captions;
  }

  /** The caption task whose baseline this is (its index among the tasks). */
  public int task() {
    return task;
  }

  /** The training images searched. */
  public int size() {
    return captions.length;
  }

  /**
   * The neighbours of caption task {@code task} from {@code trainBatches} (at most {@code most}
   * captioned records with an image); null when the data has no image or the task no caption.
   */
  public static CaptionNeighbours of(
      Configuration hadoop, List<String> trainBatches, FeaturizerState state, int task, int most)
      throws IOException {
    if (!state.has(ModelInputs.IMAGE)) {
      return null;
    }
    int image = state.inputs().indexOf(ModelInputs.IMAGE);
    int flag = state.modalities().indexOf(ModelInputs.IMAGE);
    int width = state.imageValues();
    most = (int) Math.max(1, Math.min(most, MOST_PIXELS / width));
    List<float[]> images = new ArrayList<>();
    List<int[]> captions = new ArrayList<>();
    for (int b = 0; b < trainBatches.size() && captions.size() < most; b++) {
      MultiDataSet batch = BatchFiles.read(hadoop, trainBatches.get(b));
      int[][] truth = CaptionDecoder.truth(batch.getLabels(task), batch.getLabelsMaskArray(task));
      INDArray px = batch.getFeatures(image).castTo(DataType.FLOAT);
      INDArray presence = batch.getFeatures(batch.getFeatures().length - 1);
      for (int r = 0; r < truth.length && captions.size() < most; r++) {
        if (truth[r] != null && presence.getDouble(r, flag) > 0) {
          images.add(px.getRow(r).toFloatVector());
          // Its unknown words become numbers of their own that no reference's unknown word equals.
          captions.add(
              java.util.Arrays.stream(truth[r]).map(w -> w < 0 ? w - 1_000_000 : w).toArray());
        }
      }
    }
    if (captions.isEmpty()) {
      return null;
    }
    float[] all = new float[images.size() * width];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, all, i * width, width);
    }
    return new CaptionNeighbours(task, width, all, captions.toArray(int[][]::new));
  }

  /**
   * The training images [count, pixels] and their squared norms [1, count], made on first use in
   * each JVM (the evaluation tasks of an executor share one broadcast copy).
   */
  private synchronized INDArray[] matrices() {
    if (training == null) {
      training = Nd4j.create(pixels, new long[] {captions.length, width}, 'c');
      norms = training.mul(training).sum(1).reshape(1, captions.length);
    }
    return new INDArray[] {training, norms};
  }

  /** Per row of {@code images} [rows, pixels] the caption of its nearest training image. */
  public int[][] nearest(INDArray images) {
    INDArray x = images.castTo(DataType.FLOAT);
    INDArray[] y = matrices();
    // |x - y|^2 = |y|^2 - 2 x.y + |x|^2; the last is the same for every y of a row.
    INDArray distance = x.mmul(y[0].transpose()).muli(-2).addiRowVector(y[1]);
    INDArray nearest = Nd4j.argMax(distance.neg(), 1);
    int[][] out = new int[(int) x.size(0)][];
    for (int r = 0; r < out.length; r++) {
      out[r] = captions[nearest.getInt(r)];
    }
    return out;
  }
}
