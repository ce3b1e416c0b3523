package org.mtlspark.prep.feature;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.source.PrepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/**
 * What one pass over the training records learns for token tasks: per task, each text token's most
 * frequent tag (the baseline a tagger must beat), and how many labelled texts have a tag count that
 * differs from their token count (left unlabelled by the featurizer, reported here).
 */
final class TokenTags {
  private static final Logger LOG = LoggerFactory.getLogger(TokenTags.class);

  /** The count key of a text whose tags do not line up with its tokens. */
  private static final int MISMATCH = -1;

  private TokenTags() {}

  /** {@code encodings} with each token task's baseline tags and mismatch count filled in. */
  static List<TaskEncoding> fit(
      JavaRDD<AlignedRecord> train,
      RecordLayout layout,
      TextVocabulary vocabulary,
      List<TaskEncoding> encodings) {
    List<Map<String, Integer>> tagIndex = new ArrayList<>();
    for (TaskEncoding task : encodings) {
      Map<String, Integer> index = new HashMap<>();
      if (task.perToken()) {
        for (int c = 0; c < task.classes().size(); c++) {
          index.put(task.classes().get(c), c);
        }
      }
      tagIndex.add(index);
    }
    // Key (task, token id, tag) -> count, summed in a map per partition first.
    Map<List<Integer>, Long> counts =
        train
            .mapPartitionsToPair(
                records -> {
                  Map<List<Integer>, Long> local = new HashMap<>();
                  while (records.hasNext()) {
                    AlignedRecord r = records.next();
                    String text = layout.text(r);
                    List<String> tokens = vocabulary.tokensOf(text);
                    for (int t = 0; t < encodings.size(); t++) {
                      String tags = encodings.get(t).perToken() ? layout.label(r, t) : null;
                      if (tags == null) {
                        continue;
                      }
                      String[] tagged = tags.split(" ");
                      if (text == null || tokens.size() != tagged.length) {
                        local.merge(List.of(t, MISMATCH, MISMATCH), 1L, Long::sum);
                        continue;
                      }
                      for (int i = 0; i < tagged.length; i++) {
                        Integer c = tagIndex.get(t).get(tagged[i]);
                        if (c != null) {
                          local.merge(List.of(t, vocabulary.id(tokens.get(i)), c), 1L, Long::sum);
                        }
                      }
                    }
                  }
                  return local.entrySet().stream()
                      .map(e -> new Tuple2<>(e.getKey(), e.getValue()))
                      .iterator();
                })
            .reduceByKey(Long::sum)
            .collectAsMap();
    List<TaskEncoding> out = new ArrayList<>(encodings);
    for (int t = 0; t < encodings.size(); t++) {
      TaskEncoding task = encodings.get(t);
      if (!task.perToken()) {
        continue;
      }
      long mismatched = counts.getOrDefault(List.of(t, MISMATCH, MISMATCH), 0L);
      if (2 * mismatched > task.trainLabels()) {
        throw new PrepException(
            "task "
                + task.name()
                + ": "
                + mismatched
                + " of "
                + task.trainLabels()
                + " labelled training texts have a different number of tags than of tokens: is the"
                + " text the tokens the tags belong to, one token per whitespace-separated piece"
                + " (prep.text.split: whitespace)? Column "
                + task.column());
      }
      if (mismatched > 0) {
        LOG.warn(
            "task {}: {} training texts have a different number of tags than of tokens (prep.text.split"
                + " decides the tokens); they are left unlabelled for this task",
            task.name(),
            mismatched);
      }
      out.set(
          t, with(task, baseline(counts, t, vocabulary.size(), task.majorityClass()), mismatched));
    }
    return out;
  }

  /**
   * Per token id the tag it has most often in training for task {@code t} (ties: the first tag),
   * {@code fallback} for ids never seen with the task.
   */
  static List<Integer> baseline(Map<List<Integer>, Long> counts, int t, int ids, int fallback) {
    int[] best = new int[ids];
    long[] bestCount = new long[ids];
    Arrays.fill(best, fallback);
    for (Map.Entry<List<Integer>, Long> e : counts.entrySet()) {
      List<Integer> k = e.getKey();
      int id = k.get(1);
      if (k.get(0) != t || id < 0 || id >= ids) {
        continue;
      }
      long n = e.getValue();
      if (n > bestCount[id] || (n == bestCount[id] && k.get(2) < best[id])) {
        best[id] = k.get(2);
        bestCount[id] = n;
      }
    }
    return Arrays.stream(best).boxed().toList();
  }

  private static TaskEncoding with(TaskEncoding t, List<Integer> tokenTags, long mismatched) {
    return new TaskEncoding(
        t.name(),
        t.type(),
        t.column(),
        t.weight(),
        t.classes(),
        t.classCounts(),
        t.mean(),
        t.std(),
        t.trainLabels(),
        t.loss(),
        t.huberDelta(),
        t.transform(),
        t.otherClass(),
        t.mergedClasses(),
        t.mergedRows(),
        tokenTags,
        mismatched);
  }
}
