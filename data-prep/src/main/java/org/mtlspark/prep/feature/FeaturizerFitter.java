package org.mtlspark.prep.feature;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.PrepConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.align.AlignedRecord;
import org.mtlspark.prep.align.RecordLayout;
import org.mtlspark.prep.io.Iterators;
import org.mtlspark.prep.source.Keys;
import org.mtlspark.prep.source.PrepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

/** Fits the featurizers and task encodings on the training split only. */
public final class FeaturizerFitter {
  private static final Logger LOG = LoggerFactory.getLogger(FeaturizerFitter.class);

  private FeaturizerFitter() {}

  /** The empty statistics of a fit, to count training records into with {@link Tally#add}. */
  public static Tally tally(RecordLayout layout, List<TaskConfig> tasks) {
    return new Tally(layout.numeric().size(), tasks.size());
  }

  /**
   * Fits the featurizers from the statistics of the training records ({@code tally}, counted while
   * they were aligned) and, when there is text, one more pass over them for the vocabulary (and
   * one for the quantile bins of the numeric columns with {@code prep.numericBins}).
   */
  public static FeaturizerState fit(
      Tally tally, JavaRDD<AlignedRecord> train, MtlConfig config, RecordLayout layout) {
    List<String> numericCols = layout.numeric().stream().map(RecordLayout.Ref::name).toList();
    List<String> catCols = layout.categorical().stream().map(RecordLayout.Ref::name).toList();
    List<String> hashedCols = layout.hashed().stream().map(RecordLayout.Ref::name).toList();
    int n = numericCols.size();
    int nc = catCols.size();

    List<TaskConfig> tasks = config.tasks();
    int nt = tasks.size();
    double[][] moments = tally.moments;
    List<Double> means = new ArrayList<>();
    List<Double> stds = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      means.add(mean(moments, i));
      stds.add(std(moments, i));
    }

    // Categories: the most frequent training values of each column.
    Map<Tuple2<Integer, String>, Long> catCounts = tally.categories;
    List<List<String>> categories = new ArrayList<>();
    for (int c = 0; c < nc; c++) {
      categories.add(topValues(catCounts, c, config.prep().maxCategories(), 1));
    }

    // Text vocabulary and token positions.
    int minCount = config.prep().text().minCount();
    int ngrams = config.prep().text().ngrams();
    boolean whitespace = config.prep().text().split() == PrepConfig.TextSplit.WHITESPACE;
    boolean cased = !config.prep().text().lowercase();
    boolean shapes = config.prep().text().shapes();
    List<String> vocabulary = List.of();
    int maxTokens = config.prep().text().fixedMaxTokens();
    if (layout.hasText() && config.prep().text().autoMaxTokens()) {
      Map<Integer, Long> lengths =
          train
              .map(layout::text)
              .filter(Objects::nonNull)
              .map(
                  t ->
                      Math.min(
                          TextLengths.MOST + 1,
                          TextVocabulary.terms(t, ngrams, whitespace, cased).size()
                              // a caption's end mark takes the position after its last word
                              + (tasks.stream().anyMatch(TaskConfig::caption) ? 1 : 0)))
              .countByValue();
      maxTokens = TextLengths.chosen(lengths);
      LOG.info(
          "prep.text.maxTokens auto: {} ({}% of the training texts have at most that many {})",
          maxTokens,
          Math.round(100 * TextLengths.COVERED),
          ngrams == 2 ? "words and word pairs" : "words");
    } else if (!layout.hasText()) {
      maxTokens = Math.max(1, maxTokens);
    }
    if (layout.hasText()) {
      List<Tuple2<String, Long>> tokenCounts =
          train
              .mapPartitionsToPair(
                  records ->
                      new TokenCounts(
                          Iterators.map(records, layout::text), ngrams, whitespace, cased))
              .reduceByKey(Long::sum)
              .filter(t -> t._2() >= minCount)
              .collect();
      vocabulary =
          tokenCounts.stream()
              .sorted(
                  Comparator.<Tuple2<String, Long>>comparingLong(t -> -t._2())
                      .thenComparing(Tuple2::_1))
              .limit(config.prep().text().vocabularySize())
              .map(Tuple2::_1)
              .toList();
    }

    // Identifier vocabularies: the training ids of each column, counted on the executors.
    List<String> idCols = layout.ids().stream().map(RecordLayout.Ref::name).toList();
    List<List<String>> idVocabularies = new ArrayList<>();
    if (layout.hasIds()) {
      int minIdCount = config.prep().ids().minCount();
      Map<Integer, Map<String, Long>> idCounts = new HashMap<>();
      train
          .flatMapToPair(
              r -> {
                List<Tuple2<Tuple2<Integer, String>, Long>> out = new ArrayList<>();
                for (int c = 0; c < layout.ids().size(); c++) {
                  String id = layout.id(r, c);
                  if (id != null) {
                    out.add(new Tuple2<>(new Tuple2<>(c, id), 1L));
                  }
                }
                return out.iterator();
              })
          .reduceByKey(Long::sum)
          .filter(t -> t._2() >= minIdCount)
          .collect()
          .forEach(
              t ->
                  idCounts
                      .computeIfAbsent(t._1()._1(), c -> new HashMap<>())
                      .put(t._1()._2(), t._2()));
      for (int c = 0; c < idCols.size(); c++) {
        idVocabularies.add(
            idVocabulary(
                idCounts.getOrDefault(c, Map.of()),
                minIdCount,
                config.prep().ids().maxVocabulary()));
      }
    }

    // Task encodings: classes (or labels) with counts, regression moments.
    Map<Tuple2<Integer, String>, Long> labelCounts = tally.labels;
    double[][] targetMoments = tally.targetMoments;
    List<TaskEncoding> encodings = new ArrayList<>();
    for (int t = 0; t < nt; t++) {
      TaskConfig task = tasks.get(t);
      List<String> classes = List.of();
      List<Long> counts = List.of();
      double mean = 0;
      double std = 1;
      long labelled;
      int tt = t;
      if (task.type() == TaskConfig.TaskType.REGRESSION) {
        labelled = (long) targetMoments[0][t];
        mean = mean(targetMoments, t);
        std = std(targetMoments, t);
      } else if (task.caption()) {
        // The words it may write: the end mark, the unknown word, the text's vocabulary.
        classes = TaskEncoding.captionClasses(vocabulary);
        counts = java.util.Collections.nCopies(classes.size(), 0L);
        labelled = labelCounts.getOrDefault(new Tuple2<>(tt, ROWS), 0L);
      } else if (task.type() == TaskConfig.TaskType.MULTILABEL
          || task.type() == TaskConfig.TaskType.TOKENS) {
        classes =
            topValues(labelCounts, t, Integer.MAX_VALUE, 0).stream()
                .filter(c -> !c.equals(ROWS))
                .sorted()
                .toList();
        counts =
            classes.stream().map(c -> labelCounts.getOrDefault(new Tuple2<>(tt, c), 0L)).toList();
        labelled = labelCounts.getOrDefault(new Tuple2<>(tt, ROWS), 0L);
      } else {
        classes =
            task.type() == TaskConfig.TaskType.BINARY
                ? List.of("0", "1")
                : task.type() == TaskConfig.TaskType.ORDINAL
                    ? task.classes()
                    : topValues(labelCounts, t, Integer.MAX_VALUE, 0).stream().sorted().toList();
        counts =
            classes.stream().map(c -> labelCounts.getOrDefault(new Tuple2<>(tt, c), 0L)).toList();
        labelled = counts.stream().mapToLong(Long::longValue).sum();
      }
      if (task.mergesRareClasses() && labelled > 0) {
        ClassMerge merge =
            ClassMerge.of(
                task,
                topValues(labelCounts, t, Integer.MAX_VALUE, 0),
                c -> labelCounts.getOrDefault(new Tuple2<>(tt, c), 0L));
        encodings.add(
            new TaskEncoding(
                task.name(),
                task.type(),
                task.column(),
                task.weight(),
                merge.classes(),
                merge.counts(),
                mean,
                std,
                labelled,
                task.loss(),
                task.huberDelta(),
                task.transform(),
                merge.merged().isEmpty() ? "" : task.otherClass(),
                merge.merged(),
                merge.mergedRows()));
        continue;
      }
      if (task.retrieval()) {
        classes = task.between();
        counts = List.of(labelled, labelled);
        if (labelled == 0) {
          throw new PrepException(
              "retrieval task "
                  + task.name()
                  + " has no pair in the training split: no record has both "
                  + String.join(" and ", task.between()));
        }
      }
      if (labelled == 0) {
        throw new PrepException(
            "task "
                + task.name()
                + " has no label in the training split (column "
                + task.column()
                + " of source "
                + task.source()
                + ")");
      }
      encodings.add(
          new TaskEncoding(
              task.name(),
              task.type(),
              task.column(),
              task.weight(),
              classes,
              counts,
              mean,
              std,
              labelled,
              task.loss(),
              task.huberDelta(),
              task.transform(),
              "",
              List.of(),
              0));
    }
    if (encodings.stream().anyMatch(TaskEncoding::perToken)) {
      encodings =
          TokenTags.fit(
              train,
              layout,
              new TextVocabulary(vocabulary, 0, whitespace, cased, shapes),
              encodings);
    }
    List<List<Double>> edges =
        config.prep().numericBins() > 0 && n > 0
            ? numericEdges(train, layout, config.prep().numericBins())
            : List.of();
    return new FeaturizerState(
        ModelInputs.modalities(layout),
        numericCols,
        means,
        stds,
        config.prep().missingIndicators(),
        catCols,
        categories,
        hashedCols,
        config.prep().hashBuckets(),
        maxTokens,
        vocabulary,
        config.prep().image().width(),
        config.prep().image().height(),
        encodings,
        idCols,
        idVocabularies,
        edges,
        layout.hasText() ? config.prep().text().charBuckets() : 0,
        whitespace,
        cased,
        layout.hasText() && shapes,
        config.prep().image().channels());
  }

  /** Relative rank error of the quantiles that give the bin edges of numeric columns. */
  static final double QUANTILE_ERROR = 1e-3;

  /**
   * Per numeric column the edges of {@code bins} quantile bins of its present training values
   * (Spark's approximate quantiles, one pass over the training records for all columns).
   */
  static List<List<Double>> numericEdges(
      JavaRDD<AlignedRecord> train, RecordLayout layout, int bins) {
    int n = layout.numeric().size();
    StructField[] fields = new StructField[n];
    String[] names = new String[n];
    for (int i = 0; i < n; i++) {
      names[i] = "c" + i;
      fields[i] = DataTypes.createStructField(names[i], DataTypes.DoubleType, true);
    }
    JavaRDD<Row> rows =
        train.map(
            r -> {
              Object[] values = new Object[n];
              for (int i = 0; i < n; i++) {
                double x = layout.numeric(r, i);
                values[i] = Double.isNaN(x) ? null : x;
              }
              return RowFactory.create(values);
            });
    double[] probabilities = new double[bins + 1];
    for (int k = 0; k <= bins; k++) {
      probabilities[k] = (double) k / bins;
    }
    SparkSession spark = SparkSession.builder().sparkContext(train.context()).getOrCreate();
    double[][] quantiles =
        spark
            .createDataFrame(rows, new StructType(fields))
            .stat()
            .approxQuantile(names, probabilities, QUANTILE_ERROR);
    List<List<Double>> edges = new ArrayList<>();
    for (double[] q : quantiles) {
      edges.add(edges(q));
    }
    return edges;
  }

  /** Bin edges from a column's quantiles: the distinct values, ascending; none for fewer than two. */
  static List<Double> edges(double[] quantiles) {
    TreeSet<Double> distinct = new TreeSet<>();
    for (double q : quantiles) {
      if (Double.isFinite(q)) {
        distinct.add(q);
      }
    }
    return distinct.size() < 2 ? List.of() : List.copyOf(distinct);
  }

  /**
   * The vocabulary of an identifier column from its training counts: the ids seen at least {@code
   * minCount} times, most frequent first (ties by id), at most {@code limit}. The id at position
   * {@code i} gets index {@code i + 1}; index 0 is everything else.
   */
  static List<String> idVocabulary(Map<String, Long> counts, int minCount, int limit) {
    return counts.entrySet().stream()
        .filter(e -> e.getValue() >= minCount)
        .sorted(
            Comparator.<Map.Entry<String, Long>>comparingLong(e -> -e.getValue())
                .thenComparing(Map.Entry::getKey))
        .limit(limit)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * The tokens of some texts (nulls skipped) with their counts, counted in a hash map of about
   * {@link #MAX_TOKENS} tokens at a time (more by the tokens of one text): a token comes out once
   * per full map, where a plain {@code reduceByKey} would hand each occurrence to Spark's combiner.
   */
  static final class TokenCounts implements Iterator<Tuple2<String, Long>> {
    static final int MAX_TOKENS = 1 << 17;
    private final Iterator<String> texts;
    private final int ngrams;
    private final boolean whitespace;
    private final boolean cased;
    private final int maxTokens;
    private final Map<String, Long> counts = new HashMap<>();
    private Iterator<Map.Entry<String, Long>> counted = Collections.emptyIterator();

    TokenCounts(Iterator<String> texts, int ngrams) {
      this(texts, ngrams, false, false, MAX_TOKENS);
    }

    TokenCounts(Iterator<String> texts, int ngrams, boolean whitespace, boolean cased) {
      this(texts, ngrams, whitespace, cased, MAX_TOKENS);
    }

    TokenCounts(Iterator<String> texts, int ngrams, int maxTokens) {
      this(texts, ngrams, false, false, maxTokens);
    }

    TokenCounts(
        Iterator<String> texts, int ngrams, boolean whitespace, boolean cased, int maxTokens) {
      this.texts = texts;
      this.ngrams = ngrams;
      this.whitespace = whitespace;
      this.cased = cased;
      this.maxTokens = maxTokens;
    }

    @Override
    public boolean hasNext() {
      if (!counted.hasNext() && texts.hasNext()) {
        counts.clear();
        while (counts.size() < maxTokens && texts.hasNext()) {
          String text = texts.next();
          if (text != null) {
            for (String token : TextVocabulary.terms(text, ngrams, whitespace, cased)) {
              counts.merge(token, 1L, Long::sum);
            }
          }
        }
        counted = counts.entrySet().iterator();
      }
      return counted.hasNext();
    }

    @Override
    public Tuple2<String, Long> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Map.Entry<String, Long> e = counted.next();
      return new Tuple2<>(e.getKey(), e.getValue());
    }
  }

  /** A count key that holds no label: the number of labelled rows of a multi-label task. */
  private static final String ROWS = "\u0000rows";

  /**
   * What the fit counts over the training records: per numeric column and per regression task the
   * count, sum and sum of squares of the present values; how often each category and each label occurs.
   */
  public static final class Tally implements Serializable {
    private static final long serialVersionUID = 1L;
    final double[][] moments;
    final double[][] targetMoments;
    final Map<Tuple2<Integer, String>, Long> categories = new HashMap<>();
    final Map<Tuple2<Integer, String>, Long> labels = new HashMap<>();

    Tally(int numeric, int tasks) {
      moments = new double[3][numeric];
      targetMoments = new double[3][tasks];
    }

    /** Counts one training record. */
    public Tally add(AlignedRecord r, RecordLayout layout, List<TaskConfig> tasks) {
      for (int i = 0; i < moments[0].length; i++) {
        accumulate(moments, i, layout.numeric(r, i));
      }
      for (int i = 0; i < layout.categorical().size(); i++) {
        String v = layout.categorical(r, i);
        if (v != null) {
          categories.merge(new Tuple2<>(i, v), 1L, Long::sum);
        }
      }
      for (int t = 0; t < tasks.size(); t++) {
        String v = layout.label(r, t);
        if (v == null) {
          continue;
        }
        switch (tasks.get(t).type()) {
          case REGRESSION ->
              accumulate(targetMoments, t, tasks.get(t).transform().apply(Double.parseDouble(v)));
          case MULTILABEL -> {
            labels.merge(new Tuple2<>(t, ROWS), 1L, Long::sum);
            for (String label : v.isEmpty() ? new String[0] : Keys.split(v)) {
              labels.merge(new Tuple2<>(t, label), 1L, Long::sum);
            }
          }
          case CAPTION -> labels.merge(new Tuple2<>(t, ROWS), 1L, Long::sum);
          case TOKENS -> {
            labels.merge(new Tuple2<>(t, ROWS), 1L, Long::sum);
            for (String tag : v.split(" ")) {
              labels.merge(new Tuple2<>(t, tag), 1L, Long::sum);
            }
          }
          default -> labels.merge(new Tuple2<>(t, v), 1L, Long::sum);
        }
      }
      return this;
    }

    private static void accumulate(double[][] m, int i, double v) {
      if (!Double.isNaN(v)) {
        m[0][i]++;
        m[1][i] += v;
        m[2][i] += v * v;
      }
    }

    public Tally plus(Tally o) {
      for (int k = 0; k < 3; k++) {
        for (int i = 0; i < moments[k].length; i++) {
          moments[k][i] += o.moments[k][i];
        }
        for (int i = 0; i < targetMoments[k].length; i++) {
          targetMoments[k][i] += o.targetMoments[k][i];
        }
      }
      o.categories.forEach((key, v) -> categories.merge(key, v, Long::sum));
      o.labels.forEach((key, v) -> labels.merge(key, v, Long::sum));
      return this;
    }
  }

  private static double mean(double[][] moments, int i) {
    return moments[1][i] / Math.max(1, moments[0][i]);
  }

  /** The population deviation, or 1 for a constant (or empty) column so that scaling never divides by 0. */
  private static double std(double[][] moments, int i) {
    double mean = mean(moments, i);
    double var = Math.max(0, moments[2][i] / Math.max(1, moments[0][i]) - mean * mean);
    return var > 1e-12 ? Math.sqrt(var) : 1.0;
  }

  /** The values of column {@code c} with at least {@code minCount} occurrences, most frequent first, at most {@code limit}. */
  private static List<String> topValues(
      Map<Tuple2<Integer, String>, Long> counts, int c, int limit, long minCount) {
    return counts.entrySet().stream()
        .filter(e -> e.getKey()._1() == c && e.getValue() >= minCount)
        .sorted(
            Comparator.<Map.Entry<Tuple2<Integer, String>, Long>>comparingLong(e -> -e.getValue())
                .thenComparing(e -> e.getKey()._2()))
        .limit(limit)
        .map(e -> e.getKey()._2())
        .toList();
  }
}
