/** The typed configuration tree: YAML files bound to records and validated before Spark starts. */
package org.mtlspark.config;
