package io.tsbackfill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.ToolRun;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Command-line parsing and exit codes, without any database. */
class CliTest {
  @Test
  void helpExplainsTheToolAndListsTheCommands() {
    ToolRun r = ToolRun.inProcess("--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out().replaceAll("\\s+", " "))
        .contains("dual-write and backfill")
        .contains("stage")
        .contains("copy")
        .contains("verify")
        .contains("refresh-caggs")
        .contains("clean")
        .contains("Exit codes");
  }

  @Test
  void versionNamesTheProgram() {
    ToolRun r = ToolRun.inProcess("--version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).startsWith("timescaledb-backfill ");
  }

  @Test
  void subcommandHelpShowsExamples() {
    ToolRun r = ToolRun.inProcess("stage", "--help");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).contains("--until").contains("--cascade-up").contains("Examples");
  }

  @Test
  void aRunBuildsOnlyTheCommandItInvokesAndThatOneIsTheFullTreesOwn() {
    Console console = new Console(System.out, System.err, false, false);
    picocli.CommandLine full = Cli.commandLine(console);
    List<String> all = new ArrayList<>(RootCommand.SUBCOMMANDS);
    all.add("help");
    assertThat(full.getSubcommands().keySet()).containsExactlyElementsOf(all);
    for (String name : RootCommand.SUBCOMMANDS) {
      picocli.CommandLine one = Cli.commandLine(console, new String[] {name, "--help"});
      assertThat(one.getSubcommands().keySet()).containsExactly(name);
      assertThat(one.getSubcommands().get(name).getUsageMessage())
          .isEqualTo(full.getSubcommands().get(name).getUsageMessage());
    }
    for (String first : new String[] {"-h", "cpoy", "help"}) {
      assertThat(Cli.commandLine(console, new String[] {first}).getSubcommands().keySet())
          .as("the tree for %s", first)
          .containsExactlyElementsOf(all);
    }
  }

  @Test
  void missingOrUnknownCommandIsAUsageError() {
    assertThat(ToolRun.inProcess().exitCode()).isEqualTo(2);
    ToolRun unknown = ToolRun.inProcess("frobnicate");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("frobnicate");
  }

  @Test
  void missingRequiredOptionsAreUsageErrors() {
    ToolRun r = ToolRun.inProcess("stage", "--source", "host=h", "--target", "host=h");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).contains("--until");
    assertThat(ToolRun.inProcess("clean").exitCode()).isEqualTo(2);
  }

  @Test
  void badNumbersAreUsageErrors() {
    ToolRun words =
        ToolRun.inProcess("copy", "--source", "host=h", "--target", "host=h", "-p", "x");
    assertThat(words.exitCode()).isEqualTo(2);
    ToolRun range =
        ToolRun.inProcess("copy", "--source", "host=h", "--target", "host=h", "-p", "300");
    assertThat(range.exitCode()).isEqualTo(2);
    assertThat(range.err()).contains("--parallelism");
    ToolRun retries =
        ToolRun.inProcess("copy", "--source", "host=h", "--target", "host=h", "--retries", "-1");
    assertThat(retries.exitCode()).isEqualTo(2);
  }

  @Test
  void passwordsInMistypedArgumentsAreMasked() {
    ToolRun r = ToolRun.inProcess("copy", "--sourc=postgres://u:topsecret@h/db", "--target", "x=y");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.all()).doesNotContain("topsecret");
  }

  @Test
  void badConnectionStringsAreUsageErrors() {
    ToolRun r = ToolRun.inProcess("clean", "--target", "not a connection string");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: --target");
  }
}
