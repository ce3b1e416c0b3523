/** The manifest: the contract between data-prep and training (inputs, tasks, featurizer state, counts). */
package org.mtlspark.prep.manifest;
