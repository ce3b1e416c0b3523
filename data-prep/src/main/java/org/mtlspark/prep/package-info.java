/** Data preparation: sources to aligned, featurized, split and batched examples with a manifest. */
package org.mtlspark.prep;
