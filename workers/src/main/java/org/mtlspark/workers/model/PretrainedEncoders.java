package org.mtlspark.workers.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ModelConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.feature.ModelInputs;
import org.mtlspark.prep.feature.TextVocabulary;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Encoders of another model trained by this project ({@code train.pretrained.from} and {@code
 * parts}): the parameters of each named encoder's layers ({@link GraphBuilder#encoderLayers}) are
 * copied into a new model's same layers, which must have the same shapes: the same encoder
 * settings and, for an image, the same size. Nothing else of the other model is taken.
 */
public final class PretrainedEncoders {
  private PretrainedEncoders() {}

  /**
   * The layers that {@code parts} name under {@code model}, in order; refuses a part whose encoder
   * has no layer here (a tabular encoder without {@code model.tabularHidden}).
   */
  public static Set<String> layers(ModelConfig model, List<String> parts) {
    Set<String> names = new LinkedHashSet<>();
    for (String part : parts) {
      List<String> of = GraphBuilder.encoderLayers(model, part);
      if (of.isEmpty()) {
        throw new ConfigException(
            "train.pretrained.parts",
            List.of(
                "the "
                    + part
                    + " encoder has no layer to take (model.tabularHidden is empty): nothing"
                    + " would start from the other model"));
      }
      names.addAll(of);
    }
    return names;
  }

  /**
   * What differs between the other model's featurizers ({@code from}) and this data's in what the
   * encoders of {@code parts} read: for a table, its columns and their categories (the same width
   * of other columns would copy weights onto other meanings); empty when nothing does. Images need
   * only the shapes; the text embedding is copied by token.
   */
  public static List<String> featureDifferences(
      FeaturizerState from, FeaturizerState here, List<String> parts) {
    List<String> out = new ArrayList<>();
    if (parts.contains(ModelInputs.TABULAR)) {
      compare(out, "numeric columns", from.numericColumns(), here.numericColumns());
      compare(out, "categorical columns", from.categoricalColumns(), here.categoricalColumns());
      compare(out, "categories", from.categories(), here.categories());
      compare(out, "hashed columns", from.hashedColumns(), here.hashedColumns());
      if (from.missingIndicators() != here.missingIndicators()) {
        out.add("missing indicators differ (prep.missingIndicators)");
      }
    }
    return out;
  }

  private static void compare(List<String> out, String what, Object from, Object here) {
    if (!from.equals(here)) {
      out.add("the tabular encoder's " + what + " differ: " + from + " there, " + here + " here");
    }
  }

  /**
   * What {@link #copy} did: the layers and the parameters it copied, and of the text embedding's
   * vocabulary tokens those that took the other model's row (-1: no text embedding copied).
   */
  public record Copied(List<String> layers, long parameters, int tokens) {}

  /**
   * The vocabularies (tokens in id order) of the other model's data and of this one: the text
   * embedding's rows are copied by token, not by id.
   */
  public record Vocabularies(List<String> from, List<String> here) {}

  /**
   * Copies the parameters of {@code layers} from {@code source} (the model in {@code from}) into
   * {@code target}; refuses, naming the layer, a layer {@code source} lacks or one whose parameters
   * have other shapes.
   */
  public static Copied copy(
      ComputationGraph source, String from, ComputationGraph target, Set<String> layers) {
    return copy(source, from, target, layers, null);
  }

  /**
   * As {@link #copy(ComputationGraph, String, ComputationGraph, Set)}; with {@code vocabularies},
   * the text embedding may have another count of rows: each token of this vocabulary that the other
   * has takes its row there, the reserved ids take theirs, and every other row stays as built.
   */
  public static Copied copy(
      ComputationGraph source,
      String from,
      ComputationGraph target,
      Set<String> layers,
      Vocabularies vocabularies) {
    List<String> problems = new ArrayList<>();
    for (String name : layers) {
      if (target.getVertex(name) == null) {
        problems.add(
            "this model has no layer "
                + name
                + " (no task reads that encoder's modality, or the data lacks it)");
        continue;
      }
      if (source.getVertex(name) == null) {
        problems.add(
            from
                + " has no layer "
                + name
                + ": its model has "
                + Arrays.stream(source.getLayers())
                    .map(l -> l.conf().getLayer().getLayerName())
                    .filter(n -> n.startsWith(prefix(name)))
                    .toList()
                + " (set the encoder as in its config.yaml)");
        continue;
      }
      Map<String, INDArray> want = target.getLayer(name).paramTable();
      Map<String, INDArray> have = source.getLayer(name).paramTable();
      boolean byToken = vocabularies != null && name.equals(GraphBuilder.TEXT_EMBEDDING);
      for (Map.Entry<String, INDArray> p : want.entrySet()) {
        INDArray given = have.get(p.getKey());
        boolean fits =
            given != null
                && (byToken
                    ? given.rank() == 2 && given.columns() == p.getValue().columns()
                    : Arrays.equals(given.shape(), p.getValue().shape()));
        if (!fits) {
          problems.add(
              name
                  + " parameter "
                  + p.getKey()
                  + " is "
                  + (given == null ? "absent" : Arrays.toString(given.shape()))
                  + " in "
                  + from
                  + " and "
                  + Arrays.toString(p.getValue().shape())
                  + " here (set the encoder and the image size as in its config.yaml and"
                  + " manifest.json)");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException("train.pretrained.from", problems);
    }
    long copied = 0;
    int tokens = -1;
    for (String name : layers) {
      Layer into = target.getLayer(name);
      Map<String, INDArray> have = source.getLayer(name).paramTable();
      for (Map.Entry<String, INDArray> p : into.paramTable().entrySet()) {
        if (vocabularies != null && name.equals(GraphBuilder.TEXT_EMBEDDING)) {
          tokens = copyRowsByToken(have.get(p.getKey()), p.getValue(), vocabularies);
          copied += (long) (TextVocabulary.FIRST_TOKEN + tokens) * p.getValue().columns();
        } else {
          p.getValue().assign(have.get(p.getKey()));
          copied += p.getValue().length();
        }
      }
    }
    return new Copied(List.copyOf(layers), copied, tokens);
  }

  /** Copies the reserved rows and each shared token's row; returns the tokens copied. */
  private static int copyRowsByToken(INDArray from, INDArray into, Vocabularies v) {
    for (int r = 0; r < TextVocabulary.FIRST_TOKEN; r++) {
      into.putRow(r, from.getRow(r));
    }
    Map<String, Integer> old = new java.util.HashMap<>();
    for (int i = 0; i < v.from().size(); i++) {
      old.putIfAbsent(v.from().get(i), i);
    }
    int copied = 0;
    for (int t = 0; t < v.here().size(); t++) {
      Integer i = old.get(v.here().get(t));
      if (i != null && TextVocabulary.FIRST_TOKEN + i < from.rows()) {
        into.putRow(TextVocabulary.FIRST_TOKEN + t, from.getRow(TextVocabulary.FIRST_TOKEN + i));
        copied++;
      }
    }
    return copied;
  }

  /** The name of the encoder a layer belongs to ({@code image_conv1}: {@code image_}). */
  private static String prefix(String layer) {
    int cut = layer.indexOf('_');
    return cut < 0 ? layer : layer.substring(0, cut + 1);
  }
}
