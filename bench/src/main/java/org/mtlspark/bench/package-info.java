/** The benchmarks' command line: training speed, data preparation, model quality, scaling and their summary. */
package org.mtlspark.bench;
