/** Batch scoring: a trained model applied to new raw data with the featurizers it was trained with. */
package org.mtlspark.operate.score;
