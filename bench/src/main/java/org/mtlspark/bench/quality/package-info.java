/** Baselines the quality benchmark compares trained models with. */
package org.mtlspark.bench.quality;
