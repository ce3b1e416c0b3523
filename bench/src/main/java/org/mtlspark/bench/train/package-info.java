/** Training-speed benchmarks: one plain loop, stock dl4j-spark, our resident averaging, and the machine's ceiling. */
package org.mtlspark.bench.train;
