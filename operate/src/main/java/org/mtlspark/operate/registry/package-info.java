/** The model registry: versions of a model with checksums, one promoted, on any Hadoop filesystem. */
package org.mtlspark.operate.registry;
