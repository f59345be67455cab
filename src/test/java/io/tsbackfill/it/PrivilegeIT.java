package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.TestServer;
import io.tsbackfill.testbed.ToolRun;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Least privilege: the tool runs with a read-only, non-superuser role on the source and a role on
 * the target that may only create the {@code __backfill} schema and read, insert and delete rows of
 * the hypertables; a missing grant is a clear error naming what was denied. The roles are unique
 * per test (roles are cluster-wide) and dropped afterwards.
 */
class PrivilegeIT extends IntegrationTest {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String PASSWORD = "least-privilege-pw";
  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void dropRoles() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).run();
    }
  }

  /** A login role on the server of {@code db}, dropped after the test. */
  private String role(TestDb db, String kind) {
    String name =
        "bf_" + kind + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    db.exec(
        "CREATE ROLE "
            + name
            + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '"
            + PASSWORD
            + "'");
    cleanup.add(
        () -> {
          db.exec("DROP OWNED BY " + name);
          db.exec("DROP ROLE " + name);
        });
    return name;
  }

  private static String uri(TestDb db, String role) {
    TestServer s = db.server();
    return "postgres://"
        + role
        + ":"
        + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8)
        + "@"
        + s.host()
        + ":"
        + s.port()
        + "/"
        + db.name()
        + "?sslmode=disable";
  }

  /** The grants the README documents, on a restored target with two hypertables. */
  private String[] minimalRoles() {
    source.fixture("metrics");
    source.exec("CREATE TABLE public.events (time timestamptz NOT NULL, kind text)");
    source.exec("SELECT create_hypertable('public.events', 'time')");
    source.exec(
        "INSERT INTO public.events SELECT t, 'k' || extract(dow FROM t)"
            + " FROM generate_series('2023-05-01 00:00+00'::timestamptz, '2023-05-31', '2 hours') t");
    sourceFixtureWithRestoredTarget();
    target.exec("TRUNCATE public.events"); // its chunks come back through the hypertable

    String reader = role(source, "reader");
    source.exec("ALTER ROLE " + reader + " SET default_transaction_read_only = on");
    source.exec("GRANT CONNECT ON DATABASE \"" + source.name() + "\" TO " + reader);
    source.exec("GRANT USAGE ON SCHEMA public TO " + reader);
    source.exec("GRANT SELECT ON public.metrics, public.events TO " + reader);

    String writer = role(target, "writer");
    target.exec("GRANT CONNECT, CREATE ON DATABASE \"" + target.name() + "\" TO " + writer);
    target.exec("GRANT USAGE ON SCHEMA public TO " + writer);
    target.exec("GRANT SELECT, INSERT, DELETE ON public.metrics, public.events TO " + writer);
    return new String[] {reader, writer};
  }

  @Test
  void minimalRolesRunTheRunbookAndEachMissingGrantIsAClearError() {
    String[] roles = minimalRoles();
    String src = uri(source, roles[0]);
    String tgt = uri(target, roles[1]);
    assertThat(source.value("SELECT rolsuper FROM pg_roles WHERE rolname = '" + roles[0] + "'"))
        .isEqualTo("f");

    // Each grant taken away in turn: a one-line error naming the side and what was denied.
    target.exec("REVOKE CREATE ON DATABASE \"" + target.name() + "\" FROM " + roles[1]);
    ToolRun noSchema = tool("stage", "--source", src, "--target", tgt, "--until", "2023-06-01Z");
    assertFails(noSchema, 5, "error: target database: staging: permission denied for database");
    target.exec("GRANT CREATE ON DATABASE \"" + target.name() + "\" TO " + roles[1]);

    source.exec("REVOKE SELECT ON public.events FROM " + roles[0]);
    ToolRun unreadable = tool("stage", "--source", src, "--target", tgt, "--until", "2023-06-01Z");
    assertFails(
        unreadable,
        3,
        "public.events: no columns visible on the source (missing" + " privileges?)");
    source.exec("GRANT SELECT ON public.events TO " + roles[0]);
    assertOk(tool("stage", "--source", src, "--target", tgt, "--until", "2023-06-01Z"));

    // Revoked after staging: the copy names each chunk of it, the side and the denial, retries
    // nothing, and copies the other hypertable's chunks.
    source.exec("REVOKE SELECT ON public.metrics FROM " + roles[0]);
    ToolRun noRead = tool("copy", "--source", src, "--target", tgt, "-p", "1");
    assertFails(noRead, 4, "source database: [42501] permission denied for table");
    assertThat(noRead.err()).doesNotContain("retrying");
    assertThat(taskCount("copy_sqlstate = '42501' AND hypertable_name = 'metrics'"))
        .isEqualTo(taskCount("hypertable_name = 'metrics'"));
    assertThat(taskCount("worked IS NULL AND hypertable_name = 'events'")).isZero();
    source.exec("GRANT SELECT ON public.metrics TO " + roles[0]);

    target.exec("REVOKE INSERT ON public.metrics FROM " + roles[1]);
    ToolRun noWrite = tool("copy", "--source", src, "--target", tgt, "-p", "1");
    assertFails(noWrite, 5, "target database: [42501] permission denied for");
    assertThat(taskCount("worked IS NOT NULL AND hypertable_name = 'metrics'")).isZero();
    target.exec("GRANT INSERT ON public.metrics TO " + roles[1]);

    // With the documented grants, the whole runbook.
    // The chunks missing on the target are created before the workers start (all of them: the
    // default leaves chunks under 1 MB to their copies), with these grants too (LOCK TABLE needs
    // DELETE, which the copy has): every chunk then goes direct.
    ToolRun copied =
        tool("copy", "--source", src, "--target", tgt, "-p", "2", "--create-chunks", "on");
    assertOk(copied);
    assertThat(copied.out()).contains("(direct)").doesNotContain("(routed)");
    assertOk(tool("verify", "--source", src, "--target", tgt, "-p", "2"));
    assertSameRows("public.metrics", null);
    assertSameRows("public.events", null);
    assertOk(tool("clean", "--target", tgt));
    assertThat(target.exists("__backfill.task")).isFalse();
  }

  private static void assertFails(ToolRun r, int exit, String message) {
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(exit);
    assertThat(r.all())
        .as(r.toString())
        .contains(message)
        .doesNotContain("\tat ")
        .doesNotContain(PASSWORD);
  }
}
