package org.mtlspark.prep.manifest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.prep.feature.BatchPack;
import org.mtlspark.prep.feature.FeaturizerState;
import org.mtlspark.prep.io.HadoopFiles;
import org.nd4j.shade.jackson.databind.DeserializationFeature;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * What a prepared data set holds: the model inputs and their shapes, the featurizer state (which
 * includes the tasks), the batches of each split and an account of every input row.
 */
public record Manifest(
    int formatVersion,
    String createdAt,
    int batchSize,
    List<InputSpec> inputs,
    FeaturizerState featurizers,
    Map<String, SplitSummary> splits,
    Counts counts,
    TextVectors textVectors) {

  /** A manifest without pretrained word vectors. */
  public Manifest(
      int formatVersion,
      String createdAt,
      int batchSize,
      List<InputSpec> inputs,
      FeaturizerState featurizers,
      Map<String, SplitSummary> splits,
      Counts counts) {
    this(formatVersion, createdAt, batchSize, inputs, featurizers, splits, counts, null);
  }

  /**
   * The pretrained word vectors of the text's vocabulary ({@code prep.text.vectors}): the file they
   * were read from, the prepared data set's file that holds them (relative to its folder), their
   * dimension, and how many of the vocabulary's tokens have one.
   */
  public record TextVectors(String source, String file, int dimension, int tokens, int covered) {}

  public static final int FORMAT_VERSION = 3;
  public static final String FILE_NAME = "manifest.json";
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** One network input: its name, the shape of one example, and what it holds. */
  public record InputSpec(String name, List<Integer> shape, String description) {}

  /**
   * The batches of one split: their folder (relative to the prep output), examples, padding rows,
   * labelled examples per task, per identifier column the examples whose id is out of the
   * vocabulary (unseen in training, too rare, or missing: index 0), and the batch pack files in the
   * folder with the batches each holds.
   */
  public record SplitSummary(
      String path,
      long examples,
      long batches,
      long paddingRows,
      Map<String, Long> labelled,
      Map<String, Long> unknownIds,
      Map<String, Long> files) {
    /** A summary read from a manifest written before identifier columns existed counts none. */
    public SplitSummary {
      unknownIds = unknownIds == null ? Map.of() : unknownIds;
    }

    /** The share of this split's examples whose id in {@code column} is out of the vocabulary. */
    public double unknownIdShare(String column) {
      return examples == 0 ? 0 : unknownIds.getOrDefault(column, 0L) / (double) examples;
    }
  }

  /**
   * Rows read, accepted and rejected per source; among accepted rows, how many repeat a key already
   * seen in that source (all but one of them are left out by the duplicate policy); and for a source
   * keyed by the whole key with {@code duplicates: first}, how many keys repeat with rows whose values
   * differ, so that the policy chose between different data (a title that is not unique, say).
   */
  public record SourceCount(
      long files, long rows, long accepted, long rejected, long duplicates, long differingKeys) {
    /** Counts of a source whose repeated keys are not compared (or that repeats none). */
    public SourceCount(long files, long rows, long accepted, long rejected, long duplicates) {
      this(files, rows, accepted, rejected, duplicates, 0);
    }
  }

  /**
   * Every input row accounted for: per source, rows = accepted + rejected; accepted rows become
   * records by key (duplicates counted); records are usable or counted by why not.
   */
  public record Counts(
      Map<String, SourceCount> sources,
      long records,
      long duplicateRows,
      Map<String, Long> recordStatus,
      Map<String, Long> modalityPresent,
      long rejected,
      Map<String, Long> rejectsByReason) {}

  public void write(Configuration conf, String dir) throws IOException {
    HadoopFiles.writeString(conf, dir + "/" + FILE_NAME, toJson());
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write the manifest", e);
    }
  }

  /** Reads the manifest of a prep output folder, refusing one of another format version. */
  public static Manifest read(Configuration conf, String dir) throws IOException {
    String path = dir + "/" + FILE_NAME;
    if (!HadoopFiles.exists(conf, path)) {
      throw new IOException("no " + FILE_NAME + " in " + dir + ": is it the output of `prep`?");
    }
    Manifest m = JSON.readValue(HadoopFiles.readString(conf, path), Manifest.class);
    if (m.formatVersion() != FORMAT_VERSION) {
      throw new IOException(
          path
              + " has format version "
              + m.formatVersion()
              + ", this build reads "
              + FORMAT_VERSION);
    }
    return m;
  }

  /**
   * The batches of one split of the prepared data set in {@code prepDir} (this manifest's), as
   * references ({@code <pack>#<offset>}), pack by pack in name order. Refuses a split whose pack
   * files are not exactly those the manifest lists, or hold other numbers of batches.
   */
  public List<String> batches(Configuration hadoop, String prepDir, String split)
      throws IOException {
    SplitSummary s = splits().get(split);
    if (s == null) {
      throw new IOException("the manifest in " + prepDir + " has no split " + split);
    }
    String dir = prepDir + "/" + s.path();
    List<String> packs =
        HadoopFiles.listDataFiles(hadoop, dir).stream()
            .filter(f -> f.endsWith(BatchPack.EXTENSION))
            .toList();
    List<String> names = packs.stream().map(f -> new Path(f).getName()).toList();
    if (!names.equals(List.copyOf(new TreeMap<>(s.files()).keySet()))) {
      throw new IOException(
          dir
              + " holds the batch packs "
              + names
              + ", the manifest lists "
              + s.files().keySet()
              + ": the prepared data set is incomplete or was changed");
    }
    List<String> refs = new ArrayList<>();
    for (String pack : packs) {
      List<String> inPack = BatchFiles.references(hadoop, pack);
      long expected = s.files().get(new Path(pack).getName());
      if (inPack.size() != expected) {
        throw new IOException(
            pack
                + " holds "
                + inPack.size()
                + " batches, the manifest says "
                + expected
                + ": the prepared data set is incomplete or was changed");
      }
      refs.addAll(inPack);
    }
    return refs;
  }
}
