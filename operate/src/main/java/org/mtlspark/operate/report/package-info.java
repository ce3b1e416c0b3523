/** The static HTML report of a run. */
package org.mtlspark.operate.report;
