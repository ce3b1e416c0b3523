/** Workers: the multi-task network, its parameter-averaging training on Spark, and per-task evaluation. */
package org.mtlspark.workers;
