package org.mtlspark.prep.source;

import java.io.Serializable;

/** The tabular modality of one record: numeric cells (NaN when missing) and categorical cells (null when missing). */
public record TabularValues(double[] numeric, String[] categorical) implements Serializable {}
