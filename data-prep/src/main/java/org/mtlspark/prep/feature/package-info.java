/**
 * Aligned records to model inputs: the featurizers and task encodings fit on the training split (or
 * given, from an earlier data set), the examples they make, and those examples stored as batch packs
 * of MultiDataSet (and optionally Parquet rows), read back by {@link BatchFiles}.
 */
package org.mtlspark.prep.feature;
