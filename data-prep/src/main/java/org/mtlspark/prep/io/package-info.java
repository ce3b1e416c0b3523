/** Reading and writing files on any Hadoop filesystem, atomically where it matters. */
package org.mtlspark.prep.io;
