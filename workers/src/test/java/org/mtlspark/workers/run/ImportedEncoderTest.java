package org.mtlspark.workers.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mtlspark.config.ConfigException;
import org.mtlspark.config.ConfigLoader;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.TrainConfig;
import org.mtlspark.prep.feature.BatchBuilder;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.workers.TestBatches;
import org.mtlspark.workers.model.GraphBuilder;
import org.mtlspark.workers.model.ImportedEncoder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

/**
 * Image encoders from elsewhere, without Spark: the Keras files of {@code
 * src/test/resources/keras} (made by its {@code make_keras_models.py}, which also computed what
 * their cut layers give on three images, as Keras computes it) and a zoo architecture with weights
 * DL4J saved. Each must give exactly those outputs once in this project's network; a file that
 * does not match is refused naming the file and the problem.
 */
class ImportedEncoderTest {
  static final String KERAS = "src/test/resources/keras/";
  @TempDir Path dir;

  /** {@link TestBatches#state()} with images of {@code side x side}, {@code channels} channels. */
  static FeaturizerState images(int side, int channels) {
    return TestBatches.withImages(side, channels);
  }

  static TrainConfig.ImageEncoder keras(String file, String layer) {
    return new TrainConfig.ImageEncoder(KERAS + file, "", "", layer, "none", "");
  }

  static JsonNode reference() throws IOException {
    return new ObjectMapper().readTree(Path.of(KERAS, "reference.json").toFile());
  }

  /** The reference images ({@code key}) as prepared rows. */
  static INDArray referenceImages(JsonNode ref, String key) {
    JsonNode images = ref.get(key);
    float[][] rows = new float[images.size()][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = new float[images.get(i).size()];
      for (int j = 0; j < rows[i].length; j++) {
        rows[i][j] = (float) images.get(i).get(j).asDouble();
      }
    }
    return Nd4j.create(rows);
  }

  static void assertGivesTheReference(String file, ImportedEncoder encoder) throws IOException {
    assertGivesTheReference(file, encoder, "images", images(16, 1));
  }

  static void assertGivesTheReference(
      String file, ImportedEncoder encoder, String imagesKey, FeaturizerState features)
      throws IOException {
    JsonNode ref = reference();
    INDArray out = encoder.alone(features).outputSingle(referenceImages(ref, imagesKey));
    JsonNode expected = ref.get(file).get("outputs");
    assertEquals(expected.size(), out.size(0));
    for (int i = 0; i < expected.size(); i++) {
      for (int j = 0; j < expected.get(i).size(); j++) {
        assertEquals(
            expected.get(i).get(j).asDouble(),
            out.getDouble(i, j),
            1e-4,
            file + ": image " + i + ", value " + j + " as Keras computes it");
      }
    }
  }

  @Test
  void aFunctionalKerasModelCutAtALayerGivesWhatKerasGives() throws IOException {
    ImportedEncoder encoder =
        EncoderFiles.read(
            new Configuration(), keras("functional.h5", "features"), images(16, 1), 1);
    assertEquals(CNN2DFormat.NHWC, encoder.format(), "Keras reads channels last");
    assertEquals(
        List.of("image_import_conv_a", "image_import_conv_b"),
        encoder.layers(),
        "the dense layer after the cut is not taken");
    assertEquals(4 * 9 + 4 + 8 * 4 * 9 + 8, encoder.parameters());
    assertGivesTheReference("functional.h5", encoder);
  }

  @Test
  void aSequentialKerasModelFlattensChannelsLastAsKerasDoes() throws IOException {
    ImportedEncoder encoder =
        EncoderFiles.read(
            new Configuration(), keras("sequential.h5", "embedding"), images(16, 1), 1);
    assertEquals(List.of("image_import_conv", "image_import_embedding"), encoder.layers());
    assertGivesTheReference("sequential.h5", encoder);
  }

  @Test
  void aColourModelThatPadsFirstAndNormalisesBatchesGivesWhatKerasGives() throws IOException {
    ImportedEncoder encoder =
        EncoderFiles.read(new Configuration(), keras("colour.h5", "features"), images(8, 3), 1);
    assertEquals(CNN2DFormat.NHWC, encoder.format(), "its padding reads channels last");
    assertEquals(List.of("image_import_conv", "image_import_bn"), encoder.layers());
    assertGivesTheReference("colour.h5", encoder, "colour_images", images(8, 3));
  }

  @Test
  void aKerasFileThatDoesNotMatchIsRefusedNamingTheFileAndTheProblem() throws IOException {
    Configuration hadoop = new Configuration();
    ConfigException noLayer =
        assertThrows(
            ConfigException.class,
            () -> EncoderFiles.read(hadoop, keras("functional.h5", "dense_9"), images(16, 1), 1));
    assertTrue(
        noLayer
            .getMessage()
            .contains(
                KERAS
                    + "functional.h5 has no layer \"dense_9\"; its layers: [conv_a, pool_a,"
                    + " conv_b, features, logits]"),
        noLayer.getMessage());

    ConfigException size =
        assertThrows(
            ConfigException.class,
            () -> EncoderFiles.read(hadoop, keras("functional.h5", "features"), images(12, 1), 1));
    assertTrue(
        size.getMessage()
            .contains(
                "functional.h5 takes images of 16 x 16, 1 channel(s) (its input layer); the"
                    + " prepared images are 12 x 12, 1"),
        size.getMessage());
    ConfigException colour =
        assertThrows(
            ConfigException.class,
            () -> EncoderFiles.read(hadoop, keras("functional.h5", "features"), images(16, 3), 1));
    assertTrue(
        colour.getMessage().contains("the prepared images are 16 x 16, 3"), colour.getMessage());

    Path text = dir.resolve("model.h5");
    Files.writeString(text, "layer,weight\nconv,0.5\n");
    TrainConfig.ImageEncoder notHdf5 =
        new TrainConfig.ImageEncoder(text.toString(), "", "", "features", "none", "");
    ConfigException format =
        assertThrows(
            ConfigException.class, () -> EncoderFiles.read(hadoop, notHdf5, images(16, 1), 1));
    assertTrue(
        format.getMessage().contains(text + " is not an HDF5 file (a Keras model saved as .h5)"),
        format.getMessage());

    TrainConfig.ImageEncoder missing =
        new TrainConfig.ImageEncoder(dir + "/none.h5", "", "", "features", "none", "");
    ConfigException none =
        assertThrows(
            ConfigException.class, () -> EncoderFiles.read(hadoop, missing, images(16, 1), 1));
    assertTrue(none.getMessage().contains("no Keras model file " + dir + "/none.h5"));
  }

  /** A LeNet of the zoo, for 16 x 16 grey images, its weights saved by DL4J into {@code file}. */
  static MultiLayerNetwork savedLeNet(Path file, int channels, long seed) throws IOException {
    MultiLayerNetwork net =
        (MultiLayerNetwork)
            EncoderFiles.zoo(
                "lenet", images(16, channels), seed); // another seed than the architecture's
    ModelSerializer.writeModel(net, file.toFile(), false);
    return net;
  }

  @Test
  void aZooArchitectureTakesTheWeightsDl4jSavedAndGivesWhatThatModelGives() throws IOException {
    Path file = dir.resolve("lenet.zip");
    MultiLayerNetwork saved = savedLeNet(file, 1, 99);
    List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < saved.getnLayers(); i++) {
      names.add(saved.getLayer(i).conf().getLayer().getLayerName());
    }
    String cut = names.get(3); // the second pooling: two convolutions below it
    TrainConfig.ImageEncoder config =
        new TrainConfig.ImageEncoder("", "lenet", file.toString(), cut, "none", "");
    ImportedEncoder encoder = EncoderFiles.read(new Configuration(), config, images(16, 1), 1);
    assertEquals(CNN2DFormat.NCHW, encoder.format());
    assertEquals(
        saved.getLayer(0).numParams() + saved.getLayer(2).numParams(), encoder.parameters());
    INDArray x = Nd4j.rand(DataType.FLOAT, 4, 256);
    INDArray expected = saved.feedForwardToLayer(3, x).get(4);
    INDArray out = encoder.alone(images(16, 1)).outputSingle(x);
    assertArrayEquals(expected.shape(), out.shape());
    assertEquals(0.0, out.sub(expected).amaxNumber().doubleValue(), 1e-5, "the saved weights");
    MultiLayerNetwork architecture =
        (MultiLayerNetwork) EncoderFiles.zoo("lenet", images(16, 1), 1);
    assertNotEquals(
        architecture.getLayer(0).getParam("W"), saved.getLayer(0).getParam("W"), "seeds differ");

    Path colour = dir.resolve("lenet-colour.zip");
    savedLeNet(colour, 3, 99);
    TrainConfig.ImageEncoder other =
        new TrainConfig.ImageEncoder("", "lenet", colour.toString(), cut, "none", "");
    ConfigException shapes =
        assertThrows(
            ConfigException.class,
            () -> EncoderFiles.read(new Configuration(), other, images(16, 1), 1));
    assertTrue(
        shapes.getMessage().contains(names.get(0) + " parameter W is [20, 3, 5, 5] in " + colour)
            && shapes.getMessage().contains("and [20, 1, 5, 5] in lenet for these images"),
        shapes.getMessage());
  }

  @Test
  void aZooArchitectureIsBuiltForImagesWiderThanTheyAreHigh() throws IOException {
    // 28 wide, 20 high: LeNet's dense layer reads the last pooling's 4 x 2 cells (wide x high)
    // through a preprocessor that checks both.
    FeaturizerState wide = TestBatches.withImages(28, 20, 1);
    MultiLayerNetwork net = (MultiLayerNetwork) EncoderFiles.zoo("lenet", wide, 3);
    String dense = net.getLayer(4).conf().getLayer().getLayerName();
    Path file = dir.resolve("lenet-wide.zip");
    ModelSerializer.writeModel(net, file.toFile(), false);
    TrainConfig.ImageEncoder config =
        new TrainConfig.ImageEncoder("", "lenet", file.toString(), dense, "none", "");
    ImportedEncoder encoder = EncoderFiles.read(new Configuration(), config, wide, 1);
    INDArray x = Nd4j.rand(DataType.FLOAT, 2, 28 * 20);
    assertEquals(
        0.0,
        encoder
            .alone(wide)
            .outputSingle(x)
            .sub(net.feedForwardToLayer(4, x).get(5))
            .amaxNumber()
            .doubleValue(),
        1e-5);
  }

  @Test
  void inTheNetworkTheEncoderIsCopiedFrozenUpToItsLayerAndImageDenseTrains() throws IOException {
    FeaturizerState s = images(16, 1);
    MtlConfig config =
        ConfigLoader.load(
            List.of(),
            List.of(
                "model.imageHidden=4",
                "model.trunk=[4]",
                "train.pretrained.frozenEpochs=1",
                "train.pretrained.image.keras=" + KERAS + "functional.h5",
                "train.pretrained.image.layer=features",
                "train.pretrained.image.frozenUpTo=conv_a"));
    ImportedEncoder encoder =
        EncoderFiles.read(new Configuration(), config.train().pretrained().image(), s, 1);
    assertEquals(Set.of("image_import_conv_a"), encoder.frozenLayers());
    // Two steps per epoch: the first two are the frozen epoch.
    ComputationGraph g =
        GraphBuilder.build(
            s, config.model(), config.train(), 2, 2, Set.copyOf(encoder.layers()), encoder);
    ComputationGraph alone = encoder.alone(s);
    Map<String, INDArray> before = new java.util.HashMap<>();
    for (String name : List.of("image_import_conv_a", "image_import_conv_b")) {
      assertEquals(alone.getLayer(name).params(), g.getLayer(name).params(), name + " copied");
      before.put(name, g.getLayer(name).params().dup());
    }
    INDArray dense = g.getLayer("image_dense").params().dup();
    MultiDataSet b = BatchBuilder.build(TestBatches.examples(s, 8, 3, true));
    g.fit(b);
    g.fit(b);
    assertEquals(
        0.0,
        g.getLayer("image_import_conv_a")
            .params()
            .sub(before.get("image_import_conv_a"))
            .amaxNumber()
            .doubleValue(),
        1e-7,
        "frozen during the first epoch");
    assertTrue(
        g.getLayer("image_import_conv_b")
                .params()
                .sub(before.get("image_import_conv_b"))
                .amaxNumber()
                .doubleValue()
            > 1e-6,
        "after frozenUpTo: trains from the start");
    assertTrue(g.getLayer("image_dense").params().sub(dense).amaxNumber().doubleValue() > 1e-6);
  }
}
