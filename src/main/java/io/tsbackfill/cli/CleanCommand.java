package io.tsbackfill.cli;

import io.tsbackfill.clean.Cleaner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code clean}: drop the __backfill schema from the target. */
@Command(
    mixinStandardHelpOptions = true,
    name = "clean",
    description = {
      "Removes the administrative schema __backfill from the target once the backfill is done."
          + " Migrated rows and chunks are not touched."
    },
    footer = {"", "Example:", "  timescaledb-backfill clean --target $TARGET"})
final class CleanCommand extends BaseCommand {
  @Mixin TargetOption target;

  @Override
  int execute(Console console) {
    boolean dropped = new Cleaner(target.spec()).run();
    console.event("summary", Console.fields("command", "clean", "removed", dropped));
    console.result(
        dropped
            ? "Removed the __backfill schema from the target."
            : "Nothing to remove: the target has no __backfill schema.");
    return 0;
  }
}
