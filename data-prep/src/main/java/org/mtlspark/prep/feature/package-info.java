/** Featurizers fit on the training split, and the batches of MultiDataSet they produce. */
package org.mtlspark.prep.feature;
