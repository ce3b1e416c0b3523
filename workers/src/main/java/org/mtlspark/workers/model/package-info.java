/** Building the multi-task ComputationGraph from a manifest and the model configuration. */
package org.mtlspark.workers.model;
