package org.mtlspark.prep.align;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.mtlspark.config.MtlConfig;
import org.mtlspark.config.SourceConfig;
import org.mtlspark.config.TaskConfig;
import org.mtlspark.prep.source.DateTimes;

/**
 * Where each model input and each task label sits among the sources' parsed values: tabular columns
 * (numeric, categorical, hashed) concatenated in source order, identifier columns, the text source,
 * the image source, and for each task its source and its place among that source's label cells.
 */
public final class RecordLayout implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A column of one source: the source's index and the column's index among that source's cells of its kind. */
  public record Ref(int source, int index, String name) implements Serializable {}

  private final List<Ref> numeric = new ArrayList<>();
  private final List<Ref> categorical = new ArrayList<>();
  private final List<Ref> hashed = new ArrayList<>();
  private final List<Ref> ids = new ArrayList<>();
  private final List<Integer> idSources = new ArrayList<>();
  private final List<Ref> labels = new ArrayList<>();

  /** Per task, the two modalities of a retrieval task, null for other tasks. */
  private final List<List<String>> pairs = new ArrayList<>();

  private final List<Integer> tabularSources = new ArrayList<>();
  private final List<Integer> featureSources = new ArrayList<>();
  private int textSource = -1;
  private int imageSource = -1;

  public RecordLayout(MtlConfig config) {
    List<SourceConfig> sources = config.data().sources();
    for (int s = 0; s < sources.size(); s++) {
      SourceConfig src = sources.get(s);
      for (int i = 0; i < src.numeric().size(); i++) {
        numeric.add(new Ref(s, i, src.name() + "." + src.numeric().get(i)));
      }
      int derived = src.numeric().size();
      for (String column : src.datetime()) {
        for (String feature : DateTimes.FEATURES) {
          numeric.add(new Ref(s, derived++, src.name() + "." + column + "." + feature));
        }
      }
      for (int i = 0; i < src.categorical().size(); i++) {
        categorical.add(new Ref(s, i, src.name() + "." + src.categorical().get(i)));
      }
      for (int i = 0; i < src.hashed().size(); i++) {
        hashed.add(
            new Ref(s, src.categorical().size() + i, src.name() + "." + src.hashed().get(i)));
      }
      int idOffset = src.categorical().size() + src.hashed().size();
      for (int i = 0; i < src.ids().size(); i++) {
        ids.add(new Ref(s, idOffset + i, src.name() + "." + src.ids().get(i)));
      }
      if (!src.featureColumns().isEmpty()) {
        tabularSources.add(s);
      }
      if (!src.ids().isEmpty()) {
        idSources.add(s);
      }
      if (src.hasFeatures()) {
        featureSources.add(s);
      }
      if (!src.text().isEmpty()) {
        textSource = s;
      }
      if (src.hasImage()) {
        imageSource = s;
      }
    }
    for (TaskConfig t : config.tasks()) {
      if (t.retrieval()) {
        labels.add(new Ref(-1, -1, String.join("~", t.between())));
        pairs.add(t.between());
        continue;
      }
      pairs.add(null);
      int s = sources.indexOf(config.data().source(t.source()));
      int index = (int) config.tasksOf(t.source()).stream().takeWhile(x -> x != t).count();
      labels.add(new Ref(s, index, t.source() + "." + t.column()));
    }
  }

  /** The tasks whose labels come from {@code source}, in task order. */
  public List<Ref> numeric() {
    return numeric;
  }

  public List<Ref> categorical() {
    return categorical;
  }

  public List<Ref> hashed() {
    return hashed;
  }

  /** The identifier columns ({@code ids}), in source order. */
  public List<Ref> ids() {
    return ids;
  }

  public List<Ref> labels() {
    return labels;
  }

  public boolean hasTabular() {
    return !tabularSources.isEmpty();
  }

  public boolean hasIds() {
    return !idSources.isEmpty();
  }

  public boolean hasText() {
    return textSource >= 0;
  }

  public boolean hasImage() {
    return imageSource >= 0;
  }

  public int textSource() {
    return textSource;
  }

  public int imageSource() {
    return imageSource;
  }

  /** Whether any source with tabular columns has a row for the record. */
  public boolean tabularPresent(AlignedRecord r) {
    return tabularSources.stream().anyMatch(s -> r.source(s) != null);
  }

  /** Whether any source with identifier columns has a row for the record. */
  public boolean idsPresent(AlignedRecord r) {
    return idSources.stream().anyMatch(s -> r.source(s) != null);
  }

  /** The cell of identifier column {@code i}, or null. */
  public String id(AlignedRecord r, int i) {
    Ref ref = ids.get(i);
    return r.source(ref.source()) == null
        ? null
        : r.source(ref.source()).categorical()[ref.index()];
  }

  public String text(AlignedRecord r) {
    return textSource < 0 || r.source(textSource) == null ? null : r.source(textSource).text();
  }

  public byte[] image(AlignedRecord r) {
    return imageSource < 0 || r.source(imageSource) == null ? null : r.source(imageSource).image();
  }

  /**
   * The label cell of task {@code t}, or null; for a retrieval task "1" when the record has both of
   * its modalities (a pair), else null.
   */
  public String label(AlignedRecord r, int t) {
    List<String> pair = pairs.get(t);
    if (pair != null) {
      return present(r, pair.get(0)) && present(r, pair.get(1)) ? "1" : null;
    }
    Ref ref = labels.get(t);
    return r.source(ref.source()) == null ? null : r.source(ref.source()).labels()[ref.index()];
  }

  /** Whether the record has {@code modality} (tabular, text, image or ids). */
  public boolean present(AlignedRecord r, String modality) {
    return switch (modality) {
      case "tabular" -> tabularPresent(r);
      case "text" -> text(r) != null;
      case "image" -> image(r) != null;
      case "ids" -> idsPresent(r);
      default -> throw new IllegalArgumentException("no modality " + modality);
    };
  }

  public double numeric(AlignedRecord r, int i) {
    Ref ref = numeric.get(i);
    return r.source(ref.source()) == null
        ? Double.NaN
        : r.source(ref.source()).numeric()[ref.index()];
  }

  public String categorical(AlignedRecord r, int i) {
    Ref ref = categorical.get(i);
    return r.source(ref.source()) == null
        ? null
        : r.source(ref.source()).categorical()[ref.index()];
  }

  public String hashed(AlignedRecord r, int i) {
    Ref ref = hashed.get(i);
    return r.source(ref.source()) == null
        ? null
        : r.source(ref.source()).categorical()[ref.index()];
  }

  /** Whether any source with features has a row for the record. */
  public boolean anyFeatures(AlignedRecord r) {
    return featureSources.stream().anyMatch(s -> r.source(s) != null);
  }

  public boolean anyLabel(AlignedRecord r) {
    for (int t = 0; t < labels.size(); t++) {
      if (label(r, t) != null) {
        return true;
      }
    }
    return false;
  }
}
