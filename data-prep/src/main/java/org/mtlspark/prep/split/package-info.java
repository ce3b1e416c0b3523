/** Assigning records to train, validation and test by a stable hash of the key. */
package org.mtlspark.prep.split;
