/** Distributed per-task evaluation of the multi-task graph, each task beside a trivial baseline. */
package org.mtlspark.workers.eval;
