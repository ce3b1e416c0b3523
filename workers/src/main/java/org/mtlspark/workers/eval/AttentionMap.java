package org.mtlspark.workers.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.feature.TextVocabulary;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.model.SpatialAttention;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Where a model with spatial fusion looked for one record: its text (the question) as the
 * vocabulary reads it, each multi-class task's answer and true class, the image as the model saw it
 * ({@code height} x {@code width}, row by row), and each head's attention over the feature map's
 * {@code rows} x {@code columns} cells (row by row, each head's weights summing to 1).
 */
public record AttentionMap(
    String question,
    Map<String, String> answers,
    Map<String, String> truths,
    int height,
    int width,
    float[] image,
    int rows,
    int columns,
    float[][] heads) {

  /** How many records of the evaluated split {@code evaluate} keeps for the report. */
  public static final int KEPT = 6;

  /**
   * The attention maps of up to {@code count} records of {@code batch} that have a text and an
   * image, in batch order; none for a model without spatial fusion.
   */
  public static List<AttentionMap> of(
      ComputationGraph graph, FeaturizerState state, MultiDataSet batch, int count) {
    INDArray weights =
        GraphBuilder.spatialAttention(graph, batch.getFeatures(), batch.getFeaturesMaskArrays());
    if (weights == null) {
      return List.of();
    }
    SpatialAttention layer =
        (SpatialAttention) graph.getLayer(GraphBuilder.SPATIAL_ATTENTION).conf().getLayer();
    List<String> inputs = graph.getConfiguration().getNetworkInputs();
    int textInput = inputs.indexOf(ModelInputs.TEXT);
    INDArray text = batch.getFeatures(textInput);
    INDArray textMask = batch.getFeaturesMaskArray(textInput);
    INDArray image = batch.getFeatures(inputs.indexOf(ModelInputs.IMAGE));
    INDArray presence = batch.getFeatures(inputs.indexOf(ModelInputs.PRESENCE));
    int textFlag = state.modalities().indexOf(ModelInputs.TEXT);
    int imageFlag = state.modalities().indexOf(ModelInputs.IMAGE);
    INDArray[] out = graph.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays(), null);
    List<AttentionMap> maps = new ArrayList<>();
    for (int r = 0; r < batch.getFeatures(0).size(0) && maps.size() < count; r++) {
      if (presence.getDouble(r, textFlag) == 0 || presence.getDouble(r, imageFlag) == 0) {
        continue;
      }
      Map<String, String> answers = new LinkedHashMap<>();
      Map<String, String> truths = new LinkedHashMap<>();
      for (int t = 0; t < state.tasks().size(); t++) {
        TaskEncoding task = state.tasks().get(t);
        if (task.type() != TaskConfig.TaskType.MULTICLASS || task.perToken()) {
          continue;
        }
        answers.put(task.name(), task.classes().get(out[t].getRow(r).argMax().getInt(0)));
        INDArray labelMask = batch.getLabelsMaskArray(t);
        if (labelMask == null || labelMask.getDouble(r, 0) > 0) {
          truths.put(
              task.name(), task.classes().get(batch.getLabels(t).getRow(r).argMax().getInt(0)));
        }
      }
      float[][] heads = new float[layer.heads()][];
      for (int h = 0; h < heads.length; h++) {
        heads[h] =
            weights
                .get(
                    org.nd4j.linalg.indexing.NDArrayIndex.point(r),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(h),
                    org.nd4j.linalg.indexing.NDArrayIndex.all())
                .dup()
                .toFloatVector();
      }
      maps.add(
          new AttentionMap(
              words(
                  state.textVocabulary(),
                  text.getRow(r),
                  textMask == null ? null : textMask.getRow(r)),
              answers,
              truths,
              state.imageHeight(),
              state.imageWidth(),
              grey(image.getRow(r).dup().toFloatVector(), state.imageChannels()),
              layer.rows(),
              layer.columns(),
              heads));
    }
    return maps;
  }

  /** The mean of an image's channel planes (channels first): what the map is drawn over. */
  static float[] grey(float[] values, int channels) {
    if (channels == 1) {
      return values;
    }
    int plane = values.length / channels;
    float[] out = new float[plane];
    for (int c = 0; c < channels; c++) {
      for (int i = 0; i < plane; i++) {
        out[i] += values[c * plane + i] / channels;
      }
    }
    return out;
  }

  /** The words of one encoded text: its unmasked ids as the vocabulary names them. */
  static String words(TextVocabulary vocabulary, INDArray ids, INDArray mask) {
    List<String> out = new ArrayList<>();
    float[] id = ids.dup().toFloatVector();
    float[] keep = mask == null ? null : mask.dup().toFloatVector();
    for (int j = 0; j < id.length; j++) {
      if (keep != null && keep[j] == 0) {
        continue;
      }
      int i = (int) id[j] - TextVocabulary.FIRST_TOKEN;
      if (i >= 0 && i < vocabulary.tokens().size()) {
        out.add(vocabulary.tokens().get(i));
      } else if ((int) id[j] != TextVocabulary.PAD && (int) id[j] != TextVocabulary.NO_TEXT) {
        out.add("<unknown>");
      }
    }
    return String.join(" ", out);
  }
}
