/** Reading sources into keyed rows, with every malformed row kept aside as a reject with its reason. */
package org.mtlspark.prep.source;
