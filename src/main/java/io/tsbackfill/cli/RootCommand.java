package io.tsbackfill.cli;

import io.tsbackfill.error.BackfillException;
import picocli.CommandLine.Command;

/** The top-level command: only help, version and the subcommands. */
@Command(
    name = RootCommand.PROGRAM,
    mixinStandardHelpOptions = true,
    versionProvider = RootCommand.Version.class,
    description = {
      "Copies the history of TimescaleDB hypertables and continuous aggregates from a SOURCE"
          + " database to a TARGET database, chunk by chunk, during a dual-write and backfill"
          + " migration: the application writes new rows to both databases, and this tool copies"
          + " everything older than the cut-over point, transactionally, in parallel and"
          + " resumably.",
      ""
    },
    footer = {
      "",
      "A backfill, step by step:",
      "  timescaledb-backfill stage --source $SOURCE --target $TARGET --until '2016-01-02T00:00:00'",
      "  timescaledb-backfill copy --source $SOURCE --target $TARGET --parallelism 8",
      "  timescaledb-backfill refresh-caggs --source $SOURCE --target $TARGET",
      "  timescaledb-backfill verify --source $SOURCE --target $TARGET",
      "  timescaledb-backfill requeue --target $TARGET --verify-failed   (if verify found differences)",
      "  timescaledb-backfill clean --target $TARGET",
      "",
      "Exit codes: 0 ok, 1 internal error, 2 usage, 3 bad state, 4 source database error,",
      "5 target database error, 6 verification found differences, 130 interrupted."
    })
public final class RootCommand implements java.util.concurrent.Callable<Integer> {
  public static final String PROGRAM = "timescaledb-backfill";

  /**
   * The subcommands' names, in the order help lists them. They are added by {@link
   * Cli#commandLine}, not named in the annotation, so that a run builds only the one it invokes.
   */
  static final java.util.List<String> SUBCOMMANDS =
      java.util.List.of(
          "stage", "copy", "verify", "status", "requeue", "refresh-caggs", "resume-jobs", "clean");

  /** A new instance of the subcommand {@code name}, or null if there is none of that name. */
  static Object subcommand(String name) {
    return switch (name) {
      case "stage" -> new StageCommand();
      case "copy" -> new CopyCommand();
      case "verify" -> new VerifyCommand();
      case "status" -> new StatusCommand();
      case "requeue" -> new RequeueCommand();
      case "refresh-caggs" -> new RefreshCaggsCommand();
      case "resume-jobs" -> new ResumeJobsCommand();
      case "clean" -> new CleanCommand();
      default -> null;
    };
  }

  private final Console console;

  @picocli.CommandLine.Option(
      names = "--disable-telemetry",
      description =
          "Accepted for runbooks written for the original tool; this tool reports"
              + " nothing anywhere, so there is nothing to disable.")
  boolean disableTelemetry;

  RootCommand(Console console) {
    this.console = console;
  }

  Console console() {
    return console;
  }

  @Override
  public Integer call() {
    throw BackfillException.usage(
        "missing command: one of stage, copy, verify, status, requeue, refresh-caggs, resume-jobs,"
            + " clean"
            + " (see --help)");
  }

  static String version() {
    String v = RootCommand.class.getPackage().getImplementationVersion();
    if (v == null) {
      try (var in = RootCommand.class.getResourceAsStream("/backfill-version.properties")) {
        if (in != null) {
          var p = new java.util.Properties();
          p.load(in);
          v = p.getProperty("version");
        }
      } catch (java.io.IOException ignored) {
        // fall through
      }
    }
    return v == null ? "dev" : v;
  }

  /** The git commit the jar was built from (see pom.xml), or "unknown". */
  static String commit() {
    try (var in = RootCommand.class.getResourceAsStream("/backfill-commit.txt")) {
      if (in != null) {
        String c = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        if (!c.isEmpty()) {
          return c;
        }
      }
    } catch (java.io.IOException ignored) {
      // unknown, as below
    }
    return "unknown";
  }

  /**
   * picocli's version provider: the tool's version and commit, then what it runs on, which a bug
   * report needs (the JVM, and pgjdbc, whose version decides COPY and TLS behaviour).
   */
  public static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        PROGRAM + " " + version() + " (commit " + commit() + ")",
        "Java "
            + Runtime.version()
            + " ("
            + System.getProperty("java.vendor")
            + ", "
            + System.getProperty("java.home")
            + ")",
        "pgjdbc " + org.postgresql.util.DriverInfo.DRIVER_VERSION
      };
    }
  }
}
