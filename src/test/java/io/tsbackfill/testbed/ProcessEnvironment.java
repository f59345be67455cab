package io.tsbackfill.testbed;

import io.tsbackfill.db.ClientEnvironment;
import java.nio.file.Path;

/** The test process's own environment, as the command layer hands it to the tool. */
public final class ProcessEnvironment {
  private ProcessEnvironment() {}

  public static ClientEnvironment client() {
    return new ClientEnvironment(
        System.getenv(), System.getProperty("user.name"), Path.of(System.getProperty("user.home")));
  }
}
