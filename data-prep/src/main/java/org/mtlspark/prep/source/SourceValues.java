package org.mtlspark.prep.source;

import java.io.Serializable;

/**
 * The parsed cells of one source row, by the source's configuration: numeric feature cells (NaN
 * when missing), categorical, hashed then identifier cells (null when missing), the text (null when
 * missing), the image (grey pixels, or null), one label cell per task taken from this source
 * (normalized, null when missing), and the timestamp cell that orders duplicates (null when not
 * configured).
 */
public record SourceValues(
    double[] numeric,
    String[] categorical,
    String text,
    byte[] image,
    String[] labels,
    String timestamp)
    implements Serializable {

  /**
   * Whether two rows carry the same values: features, text, image and labels (the timestamp, which
   * orders duplicates, is left out).
   */
  public boolean sameValues(SourceValues o) {
    return java.util.Arrays.equals(numeric, o.numeric)
        && java.util.Arrays.equals(categorical, o.categorical)
        && java.util.Objects.equals(text, o.text)
        && java.util.Arrays.equals(image, o.image)
        && java.util.Arrays.equals(labels, o.labels);
  }
}
