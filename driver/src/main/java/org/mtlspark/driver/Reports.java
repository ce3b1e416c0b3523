package org.mtlspark.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.operate.embed.EmbedJob;
import org.mtlspark.prep.feature.TaskEncoding;
import org.mtlspark.prep.manifest.Manifest;

/** Plain-text summaries printed by the commands. */
final class Reports {
  private Reports() {}

  /** What `embed` read and wrote, and the option that uses the vectors. */
  static String embedSummary(EmbedJob.Summary s, String out) {
    String file = (out.endsWith("/") ? out : out + "/") + s.file();
    return String.format(
        "Word vectors (%s, %d values a word):%n"
            + "  texts: %d of %d records (splits %s, source %s), %d tokens, %d distinct words%n"
            + "  words with a vector: %d (seen at least %d times); %d rejected rows%n"
            + "  use them: --set prep.text.vectors=%s (%.1f s)%n",
        s.format(),
        s.dimension(),
        s.texts(),
        s.records(),
        String.join(",", s.splits()),
        s.source(),
        s.tokens(),
        s.distinctWords(),
        s.words(),
        s.minCount(),
        s.rejected(),
        file,
        s.seconds());
  }

  /**
   * The coverage report of a prepared data set: every source row accounted for, records by status,
   * presence rate per modality, labels and class balance per task, rejects by reason.
   */
  static String prepSummary(Manifest m) {
    StringBuilder sb = new StringBuilder("Prepared data (coverage):\n");
    sb.append(
        String.format(
            "  %-12s %6s %9s %9s %9s %11s%n",
            "source", "files", "rows", "accepted", "rejected", "duplicates"));
    for (Map.Entry<String, Manifest.SourceCount> e : m.counts().sources().entrySet()) {
      Manifest.SourceCount c = e.getValue();
      sb.append(
          String.format(
              "  %-12s %6d %9d %9d %9d %11d%n",
              e.getKey(), c.files(), c.rows(), c.accepted(), c.rejected(), c.duplicates()));
    }
    m.counts()
        .sources()
        .forEach(
            (name, c) -> {
              if (c.differingKeys() > 0) {
                sb.append(
                    String.format(
                        "  %s: %d key(s) repeat with different values; duplicates: first kept the first row of "
                            + "each and left the others out (is the key unique?)%n",
                        name, c.differingKeys()));
              }
            });
    sb.append("  records by key: ")
        .append(m.counts().records())
        .append(", by status ")
        .append(m.counts().recordStatus())
        .append('\n');
    long usable = m.counts().recordStatus().getOrDefault("usable", 0L);
    List<String> presence = new ArrayList<>();
    m.counts()
        .modalityPresent()
        .forEach(
            (k, v) ->
                presence.add(String.format("%s %.1f%%", k, usable == 0 ? 0 : 100.0 * v / usable)));
    sb.append("  modality present in usable records: ")
        .append(String.join(", ", presence))
        .append('\n');
    for (Map.Entry<String, Manifest.SplitSummary> e : m.splits().entrySet()) {
      Manifest.SplitSummary s = e.getValue();
      sb.append(
          String.format(
              "  %-10s %7d examples, %5d batches, labelled per task %s%n",
              e.getKey(), s.examples(), s.batches(), s.labelled()));
    }
    List<String> idColumns = m.featurizers().idColumns();
    for (int c = 0; c < idColumns.size(); c++) {
      String column = idColumns.get(c);
      List<String> shares = new ArrayList<>();
      m.splits()
          .forEach(
              (split, s) ->
                  shares.add(String.format("%s %.1f%%", split, 100 * s.unknownIdShare(column))));
      sb.append(
          String.format(
              "  ids %s: %d in the vocabulary; examples out of it (index 0): %s%n",
              column, m.featurizers().idVocabularies().get(c).size(), String.join(", ", shares)));
    }
    Manifest.TextVectors vectors = m.textVectors();
    if (vectors != null) {
      sb.append(
          String.format(
              "  word vectors: %d of %d vocabulary tokens (%.1f%%) have one of %d values in %s%n",
              vectors.covered(),
              vectors.tokens(),
              100.0 * vectors.covered() / Math.max(1, vectors.tokens()),
              vectors.dimension(),
              vectors.source()));
    }
    sb.append("  tasks (training split):\n");
    for (TaskEncoding t : m.featurizers().tasks()) {
      sb.append(
          String.format(
              "    %-12s %-10s %7d labelled  %s%n",
              t.name(), t.type().name().toLowerCase(), t.trainLabels(), balance(t)));
    }
    if (!m.counts().rejectsByReason().isEmpty()) {
      sb.append("  rejects by reason:\n");
      m.counts()
          .rejectsByReason()
          .forEach((k, v) -> sb.append(String.format("    %7d  %s%n", v, k)));
    }
    return sb.toString();
  }

  /** Mean and deviation for regression; the share of each class (the 8 most frequent labels for multi-label). */
  private static String balance(TaskEncoding t) {
    if (t.retrieval()) {
      return String.format(
          "%d training pairs of %s", t.trainLabels(), String.join(" and ", t.classes()));
    }
    if (t.caption()) {
      return String.format(
          "%d training captions over %d words", t.trainLabels(), t.classes().size() - 2);
    }
    if (t.type() == TaskConfig.TaskType.REGRESSION) {
      return String.format("mean %.4g, sd %.4g", t.mean(), t.std())
          + (t.transform() == TaskConfig.Transform.NONE
              ? ""
              : " (of " + t.transform().name().toLowerCase() + ")");
    }
    long denominator =
        t.type() == TaskConfig.TaskType.MULTILABEL
            ? t.trainLabels()
            : t.classCounts().stream().mapToLong(Long::longValue).sum();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < t.classes().size(); i++) {
      order.add(i);
    }
    order.sort((a, b) -> Long.compare(t.classCounts().get(b), t.classCounts().get(a)));
    List<String> parts = new ArrayList<>();
    for (int i : order.subList(0, Math.min(8, order.size()))) {
      parts.add(
          String.format(
              "%s %.1f%%",
              t.classes().get(i), 100.0 * t.classCounts().get(i) / Math.max(1, denominator)));
    }
    String more = order.size() > 8 ? String.format(" (+%d more)", order.size() - 8) : "";
    String merged =
        t.mergedClasses().isEmpty()
            ? ""
            : String.format(
                "; %d rare classes (%d rows) merged into %s",
                t.mergedClasses().size(), t.mergedRows(), t.otherClass());
    String mismatched =
        t.mismatchedRows() == 0
            ? ""
            : String.format(
                "; %d texts whose tag count differs from their token count left unlabelled",
                t.mismatchedRows());
    String kind =
        switch (t.type()) {
          case MULTILABEL -> "rows with label: ";
          case TOKENS -> "tokens tagged: ";
          default -> "classes: ";
        };
    return kind + String.join(", ", parts) + more + merged + mismatched;
  }
}
