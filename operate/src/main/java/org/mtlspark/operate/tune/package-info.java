/** A small search over training settings, each trial a training run on Spark, chosen on validation. */
package org.mtlspark.operate.tune;
