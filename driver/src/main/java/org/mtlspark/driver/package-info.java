/**
 * The command line: generate, prep, train, evaluate, score, registry, retrain, report and demo,
 * each a {@code ...Command} under {@link org.mtlspark.driver.MtlCommand}. Configuration and
 * outputs are checked before Spark starts ({@link org.mtlspark.driver.OutputFolder}); the work is
 * done by the jobs of data-prep and workers; exit codes ({@link org.mtlspark.driver.ExitCodes})
 * tell a scheduler what happened.
 */
package org.mtlspark.driver;
