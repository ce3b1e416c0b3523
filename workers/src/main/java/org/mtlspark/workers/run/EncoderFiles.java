package org.mtlspark.workers.run;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.modelimport.keras.utils.KerasModelUtils;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.AlexNet;
import org.deeplearning4j.zoo.model.Darknet19;
import org.deeplearning4j.zoo.model.LeNet;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SimpleCNN;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.deeplearning4j.zoo.model.VGG16;
import org.deeplearning4j.zoo.model.VGG19;
import org.deeplearning4j.zoo.model.Xception;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.workers.model.ImportedEncoder;

/**
 * Reads an image encoder from elsewhere ({@code train.pretrained.image}) from any Hadoop path: a
 * Keras HDF5 model file (DL4J's Keras import; the file is copied to a local temporary file, which
 * HDF5's library needs, and removed after), or a deeplearning4j-zoo architecture built for the
 * prepared images' size with the weights of a model DL4J saved ({@link ModelArchive} checks that
 * file first, as every model file). Nothing is downloaded. A file that does not match is refused
 * naming the file and the problem: not HDF5, not a Keras model, images of another size or channel
 * count, a layer it does not have, weights of other shapes.
 */
public final class EncoderFiles {
  /** The first bytes of an HDF5 file. */
  private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

  private EncoderFiles() {}

  /** Refuses, before any Spark work, an encoder file that does not exist. */
  public static void checkExists(Configuration hadoop, TrainConfig.ImageEncoder config)
      throws IOException {
    if (!config.keras().isEmpty() && !exists(hadoop, config.keras())) {
      throw new ConfigException(
          "train.pretrained.image.keras", List.of("no Keras model file " + config.keras()));
    }
    if (!config.weights().isEmpty() && !exists(hadoop, config.weights())) {
      throw new ConfigException(
          "train.pretrained.image.weights", List.of("no weights file " + config.weights()));
    }
  }

  private static boolean exists(Configuration hadoop, String path) throws IOException {
    Path p = new Path(path);
    FileSystem fs = p.getFileSystem(hadoop);
    return fs.exists(p) && fs.getFileStatus(p).isFile();
  }

  /** The encoder {@code config} names, cut at its layer, for {@code features}' images. */
  public static ImportedEncoder read(
      Configuration hadoop, TrainConfig.ImageEncoder config, FeaturizerState features, long seed)
      throws IOException {
    checkExists(hadoop, config);
    ImportedEncoder encoder;
    if (!config.keras().isEmpty()) {
      Keras keras = keras(hadoop, config.keras(), features);
      encoder = ImportedEncoder.of(keras.model(), config.keras(), config, keras.format());
    } else {
      Model architecture = zoo(config.zoo(), features, seed);
      encoder = ImportedEncoder.of(architecture, config.source(), config);
      Model weights = ModelFiles.readAny(hadoop, config.weights());
      encoder = encoder.withParametersOf(weights, config.weights());
    }
    encoder.alone(features); // refuses images it cannot read
    return encoder;
  }

  /** A Keras model with its weights, and whether its layers read channels first or last. */
  record Keras(Model model, CNN2DFormat format) {}

  /** The Keras model in {@code path}, functional or sequential, with its weights. */
  static Keras keras(Configuration hadoop, String path, FeaturizerState features)
      throws IOException {
    java.nio.file.Path local = Files.createTempFile("mtlspark-keras-", ".h5");
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(hadoop);
      long length = fs.getFileStatus(p).getLen();
      if (length > ModelFiles.MAX_FILE_BYTES) {
        throw refused(path, "is " + length + " bytes, more than a model file can hold");
      }
      byte[] head = new byte[HDF5_SIGNATURE.length];
      try (InputStream in = fs.open(p)) {
        int n = in.readNBytes(head, 0, head.length);
        if (n < head.length || !Arrays.equals(head, HDF5_SIGNATURE)) {
          throw refused(
              path,
              "is not an HDF5 file (a Keras model saved as .h5): it starts with "
                  + HexFormat.ofDelimiter(" ").formatHex(head, 0, n));
        }
      }
      try (InputStream in = fs.open(p)) {
        Files.copy(in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Map<String, Object> modelConfig;
      try {
        Hdf5Archive archive = new Hdf5Archive(local.toString());
        try {
          if (!archive.hasAttribute("model_config")) {
            throw refused(
                path,
                "holds no model_config: it is not a whole Keras model (weights alone, from"
                    + " save_weights, have no layers to build)");
          }
          modelConfig =
              KerasModelUtils.parseJsonString(archive.readAttributeAsJson("model_config"));
        } finally {
          archive.close();
        }
      } catch (ConfigException e) {
        throw e;
      } catch (Exception e) {
        throw refused(path, "cannot be read as a Keras model: " + e.getMessage());
      }
      Object kind = modelConfig.get("class_name");
      boolean channelsLast = checkInputShape(path, modelConfig, features);
      try {
        Model model =
            "Sequential".equals(kind)
                ? KerasModelImport.importKerasSequentialModelAndWeights(local.toString(), false)
                : KerasModelImport.importKerasModelAndWeights(local.toString(), false);
        return new Keras(model, channelsLast ? CNN2DFormat.NHWC : CNN2DFormat.NCHW);
      } catch (Exception e) {
        throw refused(path, "cannot be imported (" + kind + "): " + e.getMessage());
      }
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /**
   * Refuses a Keras model whose input (its InputLayer's, or its first layer's, {@code
   * batch_input_shape}) is another size or channel count than the prepared images; returns whether
   * its layers read channels last (the first {@code data_format} of its layers; Keras's default).
   */
  @SuppressWarnings("unchecked")
  private static boolean checkInputShape(
      String path, Map<String, Object> modelConfig, FeaturizerState features) {
    Object inner = modelConfig.get("config");
    List<Object> layers =
        inner instanceof Map<?, ?> m && m.get("layers") instanceof List<?> l
            ? (List<Object>) l
            : inner instanceof List<?> l2 ? (List<Object>) l2 : List.of();
    List<Object> shape = null;
    String format = "channels_last";
    for (Object layer : layers) {
      if (layer instanceof Map<?, ?> lm && lm.get("config") instanceof Map<?, ?> c) {
        if (shape == null && c.get("batch_input_shape") instanceof List<?> s) {
          shape = new ArrayList<>(s);
        }
        if (c.get("data_format") instanceof String f) {
          format = f;
          break;
        }
      }
    }
    boolean last = !"channels_first".equals(format);
    if (shape == null || shape.size() != 4) {
      return last; // the import itself, and the trial pass, say what does not fit
    }
    Object h = shape.get(last ? 1 : 2);
    Object w = shape.get(last ? 2 : 3);
    Object c = shape.get(last ? 3 : 1);
    boolean fits =
        fits(h, features.imageHeight())
            && fits(w, features.imageWidth())
            && fits(c, features.imageChannels());
    if (!fits) {
      throw refused(
          path,
          "takes images of "
              + dim(h)
              + " x "
              + dim(w)
              + ", "
              + dim(c)
              + " channel(s) (its input layer); the prepared images are "
              + features.imageHeight()
              + " x "
              + features.imageWidth()
              + ", "
              + features.imageChannels()
              + ": set prep.image.height, width and channels to match");
    }
    return last;
  }

  private static boolean fits(Object declared, int here) {
    return !(declared instanceof Number n) || n.intValue() == here;
  }

  private static String dim(Object declared) {
    return declared instanceof Number n ? String.valueOf(n.intValue()) : "any";
  }

  /** The zoo architecture {@code name}, built for {@code features}' images, randomly initialised. */
  static Model zoo(String name, FeaturizerState features, long seed) {
    // The zoo reads inputShape as channels, width, height (InputType.convolutional(shape[2],
    // shape[1], shape[0]) in every architecture).
    int[] shape = {features.imageChannels(), features.imageWidth(), features.imageHeight()};
    int classes = 2; // the output layer is past any cut
    ZooModel model =
        switch (name) {
          case "alexnet" ->
              AlexNet.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "darknet19" ->
              Darknet19.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "lenet" -> LeNet.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "resnet50" ->
              ResNet50.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "simplecnn" ->
              SimpleCNN.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "squeezenet" ->
              SqueezeNet.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "vgg16" -> VGG16.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "vgg19" -> VGG19.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          case "xception" ->
              Xception.builder().numClasses(classes).inputShape(shape).seed(seed).build();
          default ->
              throw new ConfigException(
                  "train.pretrained.image.zoo",
                  List.of("\"" + name + "\" is none of " + TrainConfig.ImageEncoder.ZOO));
        };
    try {
      return model.init();
    } catch (RuntimeException e) {
      throw new ConfigException(
          "train.pretrained.image.zoo",
          List.of(
              name
                  + " cannot be built for "
                  + features.imageHeight()
                  + " x "
                  + features.imageWidth()
                  + " images with "
                  + features.imageChannels()
                  + " channel(s): "
                  + e.getMessage()
                  + " (larger prep.image.width and height)"));
    }
  }

  private static ConfigException refused(String path, String problem) {
    return new ConfigException("train.pretrained.image.keras", List.of(path + " " + problem));
  }
}
