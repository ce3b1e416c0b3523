/** Aligning the modalities and labels of a record by its key. */
package org.mtlspark.prep.align;
