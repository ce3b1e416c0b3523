/**
 * The run folder: the names of its files ({@link org.mtlspark.workers.run.RunFolder}) and the
 * model files in it, checked before DL4J reads them ({@link org.mtlspark.workers.run.ModelFiles},
 * {@link org.mtlspark.workers.run.ModelArchive}). Training, evaluation, scoring, the report and
 * the registry build on it.
 */
package org.mtlspark.workers.run;
