package io.tsbackfill.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;

/** What every subcommand does first: set up logging and print the banner line. */
abstract class BaseCommand implements Callable<Integer> {
  @ParentCommand RootCommand root;
  @Mixin CommonOptions common;

  @Override
  public final Integer call() {
    Console console = root.console();
    console.setVerbosity(common.verbosity(), common.quiet());
    console.setOutput(common.output);
    Logging.configure(common.verbosity(), common.quiet(), common.logFile);
    try {
      console.progress(RootCommand.PROGRAM + " " + RootCommand.version());
      if (common.disableTelemetry || root.disableTelemetry) {
        console.notice("Note: --disable-telemetry changes nothing: this tool sends no telemetry.");
      }
      return execute(console);
    } finally {
      console.onEnd();
    }
  }

  abstract int execute(Console console);
}
