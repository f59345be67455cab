package io.tsbackfill.cli;

import io.tsbackfill.db.Redactor;
import io.tsbackfill.error.BackfillException;
import io.tsbackfill.error.ExitCode;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.Charset;
import picocli.CommandLine;

/**
 * Builds the picocli command line and maps every outcome to an exit code: usage errors (2) print a
 * one-line reason; {@link BackfillException}s print their message and cause chain; anything else is
 * an internal error (1). Stack traces only at {@code -vv}. All text passes the {@link Redactor}.
 */
public final class Cli {
  private Cli() {}

  public static int run(PrintStream out, PrintStream err, boolean installSignals, String... args) {
    // System.console() answers null when stdin or stdout is not a terminal (up to JDK 21, which
    // this tool runs on; later JDKs answer a console either way and need Console.isTerminal()).
    @SuppressWarnings("SystemConsoleNull")
    boolean terminal =
        installSignals
            && out == System.out
            && System.console() != null
            && !"dumb".equals(System.getenv("TERM"));
    Console console = new Console(out, err, installSignals, terminal);
    CommandLine cl = commandLine(console, args);
    // picocli's help and errors in the platform's charset, as the streams print everything else.
    cl.setOut(new PrintWriter(new OutputStreamWriter(out, Charset.defaultCharset()), true));
    cl.setErr(new PrintWriter(new OutputStreamWriter(err, Charset.defaultCharset()), true));
    cl.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("error: " + Redactor.redact(ex.getMessage()));
          if (wantsJson(a)) {
            console.setOutput(Output.JSON);
            console.event(
                "error", Console.fields("exit_code", ExitCode.USAGE, "message", ex.getMessage()));
          }
          CommandLine cmd = ex.getCommandLine();
          err.println(
              "Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
          return ExitCode.USAGE;
        });
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> report(console, ex));
    try {
      return cl.execute(args);
    } finally {
      Logging.closeFile();
    }
  }

  /** The whole command tree; shell completion and docs/ are made from it. */
  static CommandLine commandLine(Console console) {
    return commandLine(console, new String[0]);
  }

  /**
   * The command tree that parses {@code args}: when the first argument names a subcommand, the root
   * with that one only. picocli reads every option's annotations of every command it is given,
   * interpreted at start-up, so the other commands would cost a run that ends at once a good share
   * of its CPU (docs/performance.md). Anything else (no arguments, an option first, a misspelt
   * command) gets the whole tree, for the help, the version and picocli's suggestions.
   */
  static CommandLine commandLine(Console console, String[] args) {
    CommandLine cl = new CommandLine(new RootCommand(console));
    Object only = args.length > 0 ? RootCommand.subcommand(args[0]) : null;
    if (only != null) {
      cl.addSubcommand(only);
    } else {
      for (String name : RootCommand.SUBCOMMANDS) {
        cl.addSubcommand(RootCommand.subcommand(name));
      }
      // "help [COMMAND]", as the original tool has it: picocli's own, over the whole tree.
      cl.addSubcommand("help", new CommandLine.HelpCommand());
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setUsageHelpWidth(110);
    return cl;
  }

  /** Whether the arguments ask for JSON output, for errors found before options are bound. */
  private static boolean wantsJson(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equalsIgnoreCase("--output=json")
          || (args[i].equals("--output")
              && i + 1 < args.length
              && args[i + 1].equalsIgnoreCase("json"))) {
        return true;
      }
    }
    return false;
  }

  static int report(Console console, Exception ex) {
    PrintStream err = console.err();
    console.onEnd();
    org.slf4j.LoggerFactory.getLogger(Logging.PROGRESS)
        .error("{}", Redactor.redact(String.valueOf(ex.getMessage())), ex);
    if (ex instanceof BackfillException be) {
      console.event(
          "error", Console.fields("exit_code", be.exitCode(), "message", be.getMessage()));
      err.println("error: " + Redactor.redact(be.getMessage()));
      printCauses(err, be.getMessage(), be.getCause());
      if (console.verbosity() >= 2) {
        printStack(err, be);
      }
      return be.exitCode();
    }
    console.event(
        "error", Console.fields("exit_code", ExitCode.INTERNAL, "message", String.valueOf(ex)));
    err.println("internal error: " + Redactor.redact(String.valueOf(ex)));
    printCauses(err, String.valueOf(ex), ex.getCause());
    if (console.verbosity() >= 2) {
      printStack(err, ex);
    } else {
      err.println("(run with -vv to see the stack trace)");
    }
    return ExitCode.INTERNAL;
  }

  /** The chain of underlying causes, each on its own indented line, numbered when several. */
  private static void printCauses(PrintStream err, String top, Throwable cause) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    String last = null;
    for (Throwable c = cause; c != null && lines.size() < 10; c = c.getCause()) {
      String text = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
      text = text.strip().replaceAll("\\s*\\n\\s*", " ");
      String firstLine = c.getMessage() == null ? text : c.getMessage().strip().split("\n")[0];
      String bare = firstLine.replaceFirst("^(ERROR|FATAL|WARNING): ", "");
      if (!text.equals(last) && !top.contains(bare)) {
        lines.add(text);
      }
      last = text;
    }
    for (int i = 0; i < lines.size(); i++) {
      String prefix = lines.size() > 1 ? "  " + (i + 1) + ": " : "  caused by: ";
      err.println(prefix + Redactor.redact(lines.get(i)));
    }
  }

  private static void printStack(PrintStream err, Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    err.print(Redactor.redact(sw.toString()));
  }
}
