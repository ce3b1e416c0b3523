/** The static HTML report of a run. */
package org.mtlspark.workers.report;
