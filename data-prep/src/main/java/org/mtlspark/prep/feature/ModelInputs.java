package org.mtlspark.prep.feature;

import java.util.ArrayList;
import java.util.List;
import org.mtlspark.prep.align.RecordLayout;

/**
 * Names of the network inputs. A prepared batch carries one feature array per modality its
 * sources provide (in {@link #MODALITIES} order), then the presence flags of those modalities.
 */
public final class ModelInputs {
  public static final String TABULAR = "tabular";
  public static final String TEXT = "text";
  public static final String IMAGE = "image";

  /**
   * Identifier columns: per column the index of the record's id in the column's training
   * vocabulary (0: unknown or missing), as a float; each looked up in an embedding table.
   */
  public static final String IDS = "ids";

  /** One 0/1 flag per modality in use: 1 when the record has it. */
  public static final String PRESENCE = "presence";

  /** Every modality, in the order of the feature arrays. */
  public static final List<String> MODALITIES = List.of(TABULAR, TEXT, IMAGE, IDS);

  private ModelInputs() {}

  /** The modalities the configured sources provide. */
  public static List<String> modalities(RecordLayout layout) {
    List<String> out = new ArrayList<>();
    if (layout.hasTabular()) {
      out.add(TABULAR);
    }
    if (layout.hasText()) {
      out.add(TEXT);
    }
    if (layout.hasImage()) {
      out.add(IMAGE);
    }
    if (layout.hasIds()) {
      out.add(IDS);
    }
    return out;
  }
}
