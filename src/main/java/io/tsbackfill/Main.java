package io.tsbackfill;

import io.tsbackfill.cli.Cli;
import java.io.PrintStream;

/** Entry point: {@code main} exits with what {@link #run} returns. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(Cli.run(System.out, System.err, true, args));
  }

  /** Runs the tool in-process (tests): no signal handlers are installed. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    return Cli.run(out, err, false, args);
  }
}
