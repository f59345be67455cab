package io.tsbackfill.cli;

import io.tsbackfill.db.BackfillException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code refresh-caggs}: bring the target's continuous aggregates up to the source's watermark. */
@Command(
    mixinStandardHelpOptions = true,
    name = "refresh-caggs",
    description = {
      "Refreshes the target's continuous aggregates from the target's watermark up to the"
          + " source's."
    })
final class RefreshCaggsCommand extends BaseCommand {
  @Mixin ConnectionOptions connections;

  @Option(names = {"-f", "--filter"}, paramLabel = "<REGEX>",
      description = "POSIX regular expression matched against continuous aggregate view names.")
  String filter;

  @Option(names = {"-U", "--cascade-up"}, description = "Also refresh caggs built on the matched.")
  boolean cascadeUp;

  @Option(names = {"-D", "--cascade-down"}, description = "Also refresh what the matched build on.")
  boolean cascadeDown;

  @Override
  int execute(Console console) {
    throw BackfillException.internal("refresh-caggs is not yet available in this version", null);
  }
}
