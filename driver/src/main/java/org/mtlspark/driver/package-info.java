/** The command line: generate, prep, train, evaluate and demo, with exit codes a scheduler can act on. */
package org.mtlspark.driver;
