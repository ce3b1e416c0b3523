/** Parameter-averaging training of the multi-task graph on Spark, from stored batch files. */
package org.mtlspark.workers.train;
