/** Word vectors (word2vec on Spark) trained on the configured sources' texts: {@code mtl embed}. */
package org.mtlspark.operate.embed;
