package io.tsbackfill.cli;

import io.tsbackfill.db.BackfillException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code verify}: compare every copied chunk between source and target. */
@Command(
    mixinStandardHelpOptions = true,
    name = "verify",
    description = {"Compares each copied chunk between source and target."})
final class VerifyCommand extends BaseCommand {
  @Mixin ConnectionOptions connections;

  @Option(names = {"-p", "--parallelism"}, paramLabel = "<N>", defaultValue = "8",
      description = "Chunks verified at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Override
  int execute(Console console) {
    throw BackfillException.internal("verify is not yet available in this version", null);
  }
}
