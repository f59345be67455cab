package io.tsbackfill.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The files generated from the command tree and kept in the repository: the bash/zsh completion
 * script ({@value #COMPLETION}) and the command reference ({@value #REFERENCE}, every command's
 * {@code --help}). Each test makes its file again from {@link Cli#commandLine}, the tree the tool
 * runs, and fails when the committed file differs; with {@code -Dbackfill.regenerate=true} it
 * writes the file instead ({@value #REGENERATE}).
 */
class GeneratedFilesTest {
  static final String COMPLETION = "completion/timescaledb-backfill.bash";
  static final String REFERENCE = "docs/commands.md";
  static final String REGENERATE =
      "mvn -B -ntp test -Dtest=GeneratedFilesTest -Dbackfill.regenerate=true";

  @Test
  void completionScriptIsWhatPicocliGeneratesFromTheCommandTree() throws IOException {
    CommandLine cl = commandLine();
    String script = AutoComplete.bash(RootCommand.PROGRAM, cl);
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      assertThat(script)
          .as("completion script names command " + sub.getKey())
          .contains(sub.getKey());
      for (OptionSpec o : sub.getValue().getCommandSpec().options()) {
        if (o.hidden()) {
          continue; // expert options: in docs/commands.md, not offered for completion
        }
        assertThat(script)
            .as("completion script offers " + o.longestName() + " of " + sub.getKey())
            .contains(o.longestName());
      }
    }
    checkOrWrite(COMPLETION, script);
  }

  @Test
  void completionScriptCompletesCommandsAndOptionsInBash() throws Exception {
    Path script = repositoryFile(COMPLETION);
    assertThat(script).as("the committed completion script (" + REGENERATE + ")").exists();
    assertThat(complete(script, "st")).containsExactlyInAnyOrder("stage", "status");
    assertThat(complete(script, "copy", "--max")).containsExactly("--max-rate");
    assertThat(complete(script, "refresh-caggs", "--cascade-"))
        .containsExactlyInAnyOrder("--cascade-up", "--cascade-down");
  }

  @Test
  void commandReferenceHoldsTheHelpOfEveryCommand() throws IOException {
    CommandLine cl = commandLine();
    StringBuilder doc = new StringBuilder();
    doc.append("# Command reference\n\n")
        .append("<!-- Generated from the command tree by src/test/java/io/tsbackfill/cli/")
        .append("GeneratedFilesTest.java: do not edit.\n")
        .append("     Regenerate after changing options or help texts: ")
        .append(REGENERATE)
        .append(" -->\n\n")
        .append("What `")
        .append(RootCommand.PROGRAM)
        .append(" --help` and `")
        .append(RootCommand.PROGRAM)
        .append(" COMMAND --help` print:\n\n");
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of());
    // "help" is picocli's: "help COMMAND" prints what "COMMAND --help" does, listed here.
    for (String name : RootCommand.SUBCOMMANDS) {
      commands.add(List.of(name));
    }
    for (List<String> c : commands) {
      String title = String.join(" ", prepend(RootCommand.PROGRAM, c));
      doc.append("- [").append(title).append("](#").append(title.replace(' ', '-')).append(")\n");
    }
    for (List<String> c : commands) {
      doc.append("\n## ")
          .append(String.join(" ", prepend(RootCommand.PROGRAM, c)))
          .append("\n\n```text\n")
          .append(help(c))
          .append("```\n");
      CommandLine command = c.isEmpty() ? cl : cl.getSubcommands().get(c.get(0));
      List<OptionSpec> expert =
          command.getCommandSpec().options().stream().filter(OptionSpec::hidden).toList();
      if (!expert.isEmpty()) {
        doc.append("\nExpert options, left out of `--help`:\n\n");
        for (OptionSpec o : expert) {
          doc.append("- `")
              .append(String.join(", ", o.names()))
              .append(' ')
              .append(o.paramLabel())
              .append("`: ")
              .append(String.join(" ", o.description()))
              .append('\n');
        }
      }
    }
    checkOrWrite(REFERENCE, doc.toString());
  }

  private static CommandLine commandLine() {
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return Cli.commandLine(new Console(sink, sink, false, false));
  }

  /** What the tool prints for {@code COMMAND --help}, run in-process as a user would run it. */
  private static String help(List<String> command) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> argList = new ArrayList<>(command);
    argList.add("--help");
    String[] args = argList.toArray(String[]::new);
    int code;
    String ansi = System.getProperty("picocli.ansi");
    // No colours whatever the environment says (CLICOLOR_FORCE), as on a pipe.
    System.setProperty("picocli.ansi", "false");
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Cli.run(o, e, false, args);
    } finally {
      if (ansi == null) {
        System.clearProperty("picocli.ansi");
      } else {
        System.setProperty("picocli.ansi", ansi);
      }
    }
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(code).as(String.join(" ", args) + " exit code; stderr: " + err).isZero();
    assertThat(text).as(String.join(" ", args)).startsWith("Usage: " + RootCommand.PROGRAM);
    return text;
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all;
  }

  /**
   * Sources the completion script in bash and asks its completion function for the candidates after
   * {@code words} (the last word is the one being completed).
   */
  private static List<String> complete(Path script, String... words) throws Exception {
    String line = RootCommand.PROGRAM + " " + String.join(" ", words);
    String program =
        "source \"$1\"; shift\n"
            + "fn=$(complete -p "
            + RootCommand.PROGRAM
            + " | sed -E 's/.* -F ([^ ]+) .*/\\1/')\n"
            + "COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); COMP_LINE=\"${*}\";"
            + " COMP_POINT=${#COMP_LINE}\n"
            + "\"$fn\" 2>/dev/null\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", program, "bash", script.toString()));
    cmd.add(RootCommand.PROGRAM);
    cmd.addAll(List.of(words));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      Assumptions.abort("bash is not installed: " + e.getMessage());
      throw e;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("bash completing '" + line + "'").isTrue();
    assertThat(p.exitValue()).as("bash completing '" + line + "': " + out).isZero();
    return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static Path repositoryFile(String relative) {
    return Path.of(System.getProperty("basedir", ".")).resolve(relative);
  }

  /** Compares the committed file with {@code expected}, or writes it when asked to regenerate. */
  private static void checkOrWrite(String relative, String expected) throws IOException {
    Path file = repositoryFile(relative);
    if (Boolean.getBoolean("backfill.regenerate")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, expected, StandardCharsets.UTF_8);
      System.out.println("wrote " + file.toAbsolutePath().normalize());
      return;
    }
    if (!Files.exists(file)) {
      fail(relative + " is missing; generate it with: " + REGENERATE);
    }
    String actual = Files.readString(file, StandardCharsets.UTF_8);
    if (actual.equals(expected)) {
      return;
    }
    List<String> want = expected.lines().toList();
    List<String> have = actual.lines().toList();
    int line = 0;
    while (line < want.size() && line < have.size() && want.get(line).equals(have.get(line))) {
      line++;
    }
    fail(
        relative
            + " is stale: it differs from what the command tree generates now, first at line "
            + (line + 1)
            + "\n  expected: "
            + (line < want.size() ? want.get(line) : "(end of file)")
            + "\n  found:    "
            + (line < have.size() ? have.get(line) : "(end of file)")
            + "\nRegenerate it (and commit the result) with: "
            + REGENERATE);
  }
}
