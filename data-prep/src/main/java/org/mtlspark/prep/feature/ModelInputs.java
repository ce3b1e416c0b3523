package org.mtlspark.prep.feature;

import java.util.List;

/** Names and order of the network inputs that every prepared batch carries. */
public final class ModelInputs {
  public static final String TABULAR = "tabular";
  public static final String TEXT = "text";
  public static final String IMAGE = "image";
  /** One 0/1 flag per modality (tabular, text, image): 1 when the record has it. */
  public static final String PRESENCE = "presence";
  /** All inputs, in the order of the MultiDataSet feature arrays. */
  public static final List<String> ORDER = List.of(TABULAR, TEXT, IMAGE, PRESENCE);
  /** Modalities whose presence is flagged, in the order of the presence input. */
  public static final List<String> MODALITIES = List.of(TABULAR, TEXT, IMAGE);

  private ModelInputs() {}
}
