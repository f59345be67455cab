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
    console.setVerbosity(common.verbosity());
    Logging.configure(common.verbosity(), common.quiet);
    console.result(RootCommand.PROGRAM + " " + RootCommand.version());
    return execute(console);
  }

  abstract int execute(Console console);
}
