/**
 * Kryo serializers for the records prep moves between Spark stages (source rows, tagged rows,
 * aligned records, examples), and the registrator that installs them. It sits above the packages
 * whose types it serializes.
 */
package org.mtlspark.prep.kryo;
