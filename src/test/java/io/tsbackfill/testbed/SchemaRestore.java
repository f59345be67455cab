package io.tsbackfill.testbed;

import java.util.List;

/**
 * The migration runbook's schema restore: {@code pg_dump} of the source without chunk data,
 * restored on the target between {@code timescaledb_pre_restore()} and {@code
 * timescaledb_post_restore()}. Leaves every source chunk on the target, empty, with identical
 * slices.
 */
public final class SchemaRestore {
  private static final List<String> DUMP_OPTIONS =
      List.of(
          "--no-owner",
          "--no-privileges",
          "--no-tablespaces",
          "--quote-all-identifiers",
          "--exclude-table-data=_timescaledb_internal.*");

  private SchemaRestore() {}

  public static void restore(TestDb source, TestDb target) {
    restore(source, target, "public");
  }

  /**
   * The same with the extension in {@code extensionSchema} on both sides, as the runbook does it
   * there: the restore functions called by their qualified names (the dump empties search_path),
   * and the dump's CREATE SCHEMA of the extension's schema, which the target has already, made
   * idempotent as pg_restore would skip its error.
   */
  public static void restore(TestDb source, TestDb target, String extensionSchema) {
    String dump = source.server().programs().dump(source.server(), source.name(), DUMP_OPTIONS);
    String quoted = "\"" + extensionSchema + "\"";
    dump =
        dump.replace(
            "CREATE SCHEMA " + quoted + ";", "CREATE SCHEMA IF NOT EXISTS " + quoted + ";");
    target.exec("SELECT " + quoted + ".timescaledb_pre_restore()");
    target.server().programs().restore(target.server(), target.name(), dump);
    target.exec("SELECT " + quoted + ".timescaledb_post_restore()");
  }
}
