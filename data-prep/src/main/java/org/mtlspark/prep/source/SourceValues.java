package org.mtlspark.prep.source;

import java.io.Serializable;

/**
 * The parsed cells of one source row, by the source's configuration: numeric feature cells (NaN
 * when missing), categorical then hashed cells (null when missing), the text (null when missing),
 * the image (grey pixels, or null), one label cell per task taken from this source (normalized,
 * null when missing), and the timestamp cell that orders duplicates (null when not configured).
 */
public record SourceValues(
    double[] numeric,
    String[] categorical,
    String text,
    byte[] image,
    String[] labels,
    String timestamp)
    implements Serializable {}
