/** The data-preparation benchmark: prep timed against a bare Spark SQL join of the same sources. */
package org.mtlspark.bench.prep;
