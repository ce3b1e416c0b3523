/** The built-in multimodal, multi-task data set: deterministic, seeded, imperfect on purpose. */
package org.mtlspark.prep.generate;
