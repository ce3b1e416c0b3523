package org.mtlspark.driver;

import org.mtlspark.testing.InProcessCommand;

/** {@code mtl} run in the test JVM, as submit-scripts/mtl runs it locally. */
final class InProcessCli {
  private InProcessCli() {}

  static InProcessCommand.Outcome mtl(String... args) {
    return InProcessCommand.run(MtlCommand::execute, args);
  }
}
