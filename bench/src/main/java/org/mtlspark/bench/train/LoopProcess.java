package org.mtlspark.bench.train;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.mtlspark.prep.feature.BatchFiles;
import org.mtlspark.workers.train.NativeThreads;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * One plain fit loop in a process of its own, for the benchmark's process ceiling: N of these at
 * once on disjoint shares show what N separate JVMs can do on the machine, with no communication.
 *
 * <p>{@code LoopProcess NETWORK PATHS EPOCHS SEED THREADS [SAVE]}: restores the network, limits its
 * native threads, warms up on a copy ({@value #WARM_UP_STEPS} steps, or {@value #WARM_UP_SECONDS} seconds), prints {@code ready} and waits for a line on standard input;
 * then reads its batches (inside the timing, as the in-process loops do), fits them for EPOCHS
 * epochs in a seeded order, prints {@code done SECONDS}, and saves the network to SAVE if given.
 */
public final class LoopProcess {
  private static final int WARM_UP_STEPS = 3000;
  private static final long WARM_UP_SECONDS = 15;

  private LoopProcess() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 5) {
      System.err.println("usage: LoopProcess NETWORK PATHS EPOCHS SEED THREADS [SAVE]");
      System.exit(2);
    }
    NativeThreads.limit(Integer.parseInt(args[4]));
    ComputationGraph g = ModelSerializer.restoreComputationGraph(new File(args[0]), true);
    List<String> paths = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
    int epochs = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    Configuration hadoop = new Configuration();
    // Warm up on a copy long enough for the JIT to finish compiling the step, so that no compiler
    // thread competes with the timed loops for the cores (the in-process phases run warm too).
    ComputationGraph warm = g.clone();
    List<? extends MultiDataSet> first =
        BatchFiles.readAll(hadoop, paths.subList(0, Math.min(100, paths.size())));
    long until = System.nanoTime() + WARM_UP_SECONDS * 1_000_000_000L;
    for (int i = 0; i < WARM_UP_STEPS && System.nanoTime() < until; i++) {
      warm.fit(first.get(i % first.size()));
    }
    System.out.println("ready");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (in.readLine() == null) {
      return;
    }
    long start = System.nanoTime();
    TrainingBenchmark.plainLoop(g, BatchFiles.readAll(hadoop, paths), epochs, seed, null);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.println("done " + seconds);
    System.out.flush();
    if (args.length > 5) {
      ModelSerializer.writeModel(g, new File(args[5]), true);
    }
  }
}
