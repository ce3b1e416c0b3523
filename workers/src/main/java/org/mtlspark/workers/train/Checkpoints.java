package org.mtlspark.workers.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.mtlspark.prep.io.HadoopFiles;
import org.mtlspark.workers.run.ModelFiles;
import org.mtlspark.workers.run.RunFolder;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.SerializationFeature;

/**
 * Per-epoch checkpoints of a run, under {@code RUN/checkpoints/epoch-NNNN/}: {@code model.zip}
 * (parameters, updater state, iteration and epoch counters) and {@code state.json} (the epoch,
 * the best epoch and objective so far, the metrics history, the learned balancing state). A checkpoint is written into a
 * hidden folder and renamed, so a crash never leaves one that looks complete. The last two are kept.
 */
public final class Checkpoints {
  static final String DIR = RunFolder.CHECKPOINTS;
  private static final String PREFIX = "epoch-";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * What a checkpoint remembers besides the model. {@code epoch} is the last finished epoch, from
   * 0; {@code balance} the per-step balancing's learned state (log-variances, or GradNorm's
   * weights and first losses; empty without one, null in checkpoints written before it was kept).
   */
  public record State(
      int epoch,
      int bestEpoch,
      double bestObjective,
      List<Map<String, Object>> history,
      double[] balance) {}

  /** A checkpoint read back. */
  public record Restored(ComputationGraph graph, State state) {}

  private final Configuration conf;
  private final Path root;

  public Checkpoints(Configuration conf, String runDir) {
    this.conf = conf;
    this.root = new Path(runDir, DIR);
  }

  public void write(ComputationGraph graph, State state) throws IOException {
    FileSystem fs = root.getFileSystem(conf);
    Path target = new Path(root, String.format("%s%04d", PREFIX, state.epoch() + 1));
    Path tmp = new Path(root, "." + target.getName() + "-" + UUID.randomUUID() + ".tmp");
    fs.mkdirs(tmp);
    ModelFiles.write(conf, new Path(tmp, "model.zip").toString(), graph);
    HadoopFiles.writeString(
        conf, new Path(tmp, "state.json").toString(), JSON.writeValueAsString(state));
    if (fs.exists(target)) {
      fs.delete(target, true);
    }
    HadoopFiles.renameOrFail(fs, tmp, target);
    List<Path> all = complete(fs);
    for (int i = 0; i < all.size() - 2; i++) {
      fs.delete(all.get(i), true);
    }
  }

  /** The latest complete checkpoint, if any. */
  public Optional<Restored> latest() throws IOException {
    FileSystem fs = root.getFileSystem(conf);
    List<Path> all = complete(fs);
    if (all.isEmpty()) {
      return Optional.empty();
    }
    Path last = all.get(all.size() - 1);
    ComputationGraph graph = ModelFiles.read(conf, new Path(last, "model.zip").toString());
    State state =
        JSON.readValue(
            HadoopFiles.readString(conf, new Path(last, "state.json").toString()), State.class);
    return Optional.of(new Restored(graph, state));
  }

  /** Complete checkpoints (visible name, both files present), oldest first. */
  private List<Path> complete(FileSystem fs) throws IOException {
    List<Path> out = new ArrayList<>();
    if (!fs.exists(root)) {
      return out;
    }
    for (FileStatus s : fs.listStatus(root)) {
      Path p = s.getPath();
      if (s.isDirectory()
          && p.getName().startsWith(PREFIX)
          && fs.exists(new Path(p, "model.zip"))
          && fs.exists(new Path(p, "state.json"))) {
        out.add(p);
      }
    }
    out.sort((a, b) -> a.getName().compareTo(b.getName()));
    return out;
  }
}
