package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsbackfill.testbed.TestDb;
import io.tsbackfill.testbed.TestServer;
import io.tsbackfill.testbed.ToolProcess;
import io.tsbackfill.testbed.ToolRun;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No command, at -vv (one at -vvv), prints a password: every command (the built jar, so also
 * library and driver output is seen) runs with passwords given in a URI, a key=value string, a JDBC
 * URL, PGPASSWORD and a password file (PGPASSFILE), on good and bad input; stdout and stderr are
 * searched for the password in every form it was written in.
 */
class SecretsIT extends IntegrationTest {
  private static final String PASSWORD = "Pa55:w@rd/ %'q\"-z";
  private static final String WRONG = "Wr0ng:s3cret@x";
  private static final Duration LIMIT = Duration.ofMinutes(2);
  private String role;
  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void dropRole() {
    for (int i = cleanup.size() - 1; i >= 0; i--) {
      cleanup.get(i).run();
    }
  }

  private void createRole(TestDb db) {
    db.exec(
        "CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + PASSWORD.replace("'", "''") + "'");
    cleanup.add(
        () -> {
          db.exec("DROP OWNED BY " + role);
          db.exec("DROP ROLE " + role);
        });
  }

  /**
   * Every form the password takes in what the tests pass to the tool, and pieces of it that a
   * parser error could echo (the text after an unescaped quote, around a special character).
   */
  private static List<String> forms(String password) {
    String url = URLEncoder.encode(password, StandardCharsets.UTF_8);
    List<String> forms =
        new ArrayList<>(
            List.of(
                password,
                url,
                url.replace("+", "%20"),
                password.replace("'", "\\'"),
                password.replace(":", "\\:")));
    forms.addAll(List.of(password.substring(0, 4), password.substring(password.length() - 4)));
    return forms;
  }

  private static String uri(TestDb db, String user, String password) {
    TestServer s = db.server();
    return "postgres://"
        + user
        + ":"
        + URLEncoder.encode(password, StandardCharsets.UTF_8).replace("+", "%20")
        + "@"
        + s.host()
        + ":"
        + s.port()
        + "/"
        + db.name()
        + "?sslmode=disable";
  }

  private static String keyValue(TestDb db, String user, String password) {
    TestServer s = db.server();
    return "host="
        + s.host()
        + " port="
        + s.port()
        + " dbname="
        + db.name()
        + " user="
        + user
        + " sslmode=disable"
        + (password == null ? "" : " password='" + password.replace("'", "\\'") + "'");
  }

  @Test
  void noCommandPrintsAPasswordAtAnyVerbosity(@TempDir Path dir) throws Exception {
    role = "bf_secret_" + ProcessHandle.current().pid();
    sourceFixtureWithRestoredTarget("metrics");
    createRole(source);
    createRole(target);
    Path pgpass = dir.resolve("pgpass");
    Files.writeString(
        pgpass, "*:*:*:" + role + ":" + PASSWORD.replace("\\", "\\\\").replace(":", "\\:") + "\n");
    Files.setPosixFilePermissions(pgpass, PosixFilePermissions.fromString("rw-------"));

    String srcUri = uri(source, role, PASSWORD);
    String tgtUri = uri(target, role, PASSWORD);
    String srcKv = keyValue(source, role, PASSWORD);
    String tgtKv = keyValue(target, role, PASSWORD);
    String srcBare = keyValue(source, role, null);
    String tgtBare = keyValue(target, role, null);
    String tgtJdbc =
        "jdbc:postgresql://"
            + target.server().host()
            + ":"
            + target.server().port()
            + "/"
            + target.name()
            + "?user="
            + role
            + "&sslmode=disable&password="
            + URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    Map<String, String> none = Map.of("PGPASSFILE", dir.resolve("none").toString());
    Map<String, String> viaEnv = Map.of("PGPASSWORD", PASSWORD, "PGPASSFILE", "/nonexistent");
    Map<String, String> viaFile = Map.of("PGPASSFILE", pgpass.toString());

    Map<String, ToolRun> runs = new LinkedHashMap<>();
    // Bad input first, all at once: wrong password, unparsable strings, unreachable servers,
    // bad options. Each also carries the good password somewhere.
    Map<String, ToolProcess> bad = new LinkedHashMap<>();
    bad.put(
        "stage, wrong password in a URI",
        ToolProcess.start(
            none,
            "stage",
            "-vv",
            "--source",
            uri(source, role, WRONG),
            "--target",
            tgtUri,
            "--until",
            "2023-06-01Z"));
    bad.put(
        "copy, URI with a bad port",
        ToolProcess.start(
            none,
            "copy",
            "-vv",
            "--source",
            srcUri.replace(":" + source.server().port() + "/", ":notaport/"),
            "--target",
            tgtKv));
    bad.put(
        "verify, unterminated key=value quote",
        ToolProcess.start(
            none,
            "verify",
            "-vv",
            "--source",
            "host=127.0.0.1 password='" + PASSWORD,
            "--target",
            tgtKv));
    bad.put(
        "verify, an unescaped quote in a key=value password",
        ToolProcess.start(
            none, "verify", "-vv", "--source", srcKv, "--target", tgtKv.replace("\\'", "'")));
    bad.put(
        "copy, a URI password that is not percent-encoded",
        ToolProcess.start(
            none,
            "copy",
            "-vv",
            "--source",
            srcUri,
            "--target",
            "postgres://"
                + role
                + ":"
                + PASSWORD
                + "@"
                + target.server().host()
                + ":"
                + target.server().port()
                + "/"
                + target.name()));
    bad.put(
        "stage, a URI password with an unencoded ? and /",
        ToolProcess.start(
            none,
            "stage",
            "-vv",
            "--source",
            "postgres://" + role + ":Pa55?x/y@" + source.server().host() + "/db",
            "--target",
            tgtKv,
            "--until",
            "2023-06-01Z"));
    bad.put(
        "clean, PGPASSWORD to an unreachable server",
        ToolProcess.start(
            viaEnv,
            "clean",
            "-vv",
            "--target",
            "host=127.0.0.1 port=1 dbname=x user=" + role + " connect_timeout=2"));
    bad.put(
        "stage, bad --until with .pgpass",
        ToolProcess.start(
            viaFile,
            "stage",
            "-vv",
            "--source",
            srcBare,
            "--target",
            tgtBare,
            "--until",
            "not a time"));
    for (var e : bad.entrySet()) {
      ToolRun r = e.getValue().waitFor(LIMIT);
      assertThat(r.exitCode()).as("%s: %s", e.getKey(), r).isNotZero();
      assertThat(r.err())
          .as("%s: one error line: %s", e.getKey(), r)
          .containsPattern("(?m)^(internal )?error: ");
      runs.put(e.getKey(), r);
    }
    assertThat(runs.get("stage, wrong password in a URI").err())
        .contains("password authentication failed");
    for (String parseError :
        List.of(
            "verify, an unescaped quote in a key=value password",
            "copy, a URI password that is not percent-encoded",
            "stage, a URI password with an unencoded ? and /")) {
      assertThat(runs.get(parseError).exitCode()).as(parseError).isEqualTo(2);
      System.out.println(
          parseError
              + ": "
              + runs.get(parseError)
                  .err()
                  .lines()
                  .filter(l -> l.startsWith("error:"))
                  .findFirst()
                  .orElse("?"));
    }

    // The runbook, each step with passwords given another way.
    runs.put(
        "stage, URI and key=value",
        ToolProcess.run(
            none,
            LIMIT,
            "stage",
            "-vv",
            "--source",
            srcUri,
            "--target",
            tgtKv,
            "--until",
            "2023-06-01Z"));
    runs.put(
        "copy at -vvv, PGPASSWORD",
        ToolProcess.run(
            viaEnv, LIMIT, "copy", "-vvv", "--source", srcBare, "--target", tgtBare, "-p", "2"));
    runs.put(
        "verify, .pgpass",
        ToolProcess.run(viaFile, LIMIT, "verify", "-vv", "--source", srcBare, "--target", tgtBare));
    // No continuous aggregates here: refresh-caggs reads both catalogs and succeeds with a note.
    runs.put(
        "refresh-caggs, key=value and JDBC URL",
        ToolProcess.run(
            none, LIMIT, "refresh-caggs", "-vv", "--source", srcKv, "--target", tgtJdbc));
    runs.put("clean, JDBC URL", ToolProcess.run(none, LIMIT, "clean", "-vv", "--target", tgtJdbc));
    for (String step :
        List.of(
            "stage, URI and key=value",
            "copy at -vvv, PGPASSWORD",
            "verify, .pgpass",
            "refresh-caggs, key=value and JDBC URL",
            "clean, JDBC URL")) {
      ToolRun r = runs.get(step);
      assertThat(r.exitCode()).as("%s: %s", step, r).isZero();
      assertThat(r.err()).as("%s runs at -vv: its SQL is logged", step).contains(" DEBUG ");
    }
    assertSameRows("public.metrics", null);

    Map<String, String> leaks = new HashMap<>();
    for (var e : runs.entrySet()) {
      for (String secret : new String[] {PASSWORD, WRONG, "Pa55?x/y"}) {
        for (String form : forms(secret)) {
          if (e.getValue().all().contains(form)) {
            leaks.put(e.getKey(), form);
          }
        }
      }
    }
    assertThat(leaks).as("commands whose output shows a password (and the form shown)").isEmpty();
  }

  /**
   * Short and common passwords: masked where a password stands (the URI's userinfo, password=), and
   * nowhere else. Masking their text wherever it occurs turned every "e" of the output, and every
   * user named postgres, into stars.
   */
  @Test
  void shortAndCommonPasswordsAreMaskedWhereTheyStandAndNowhereElse() {
    sourceFixtureWithRestoredTarget("metrics");
    for (String password : List.of("e", "postgres")) {
      String role = "bf_pw_" + password + "_" + ProcessHandle.current().pid();
      for (TestDb db : List.of(source, target)) {
        db.exec("CREATE ROLE " + role + " LOGIN SUPERUSER PASSWORD '" + password + "'");
        cleanup.add(() -> db.exec("DROP ROLE " + role));
      }
      String src = uri(source, role, password);
      String tgt = keyValue(target, role, password);
      ToolRun dry =
          ToolProcess.run(
              Map.of(),
              LIMIT,
              "stage",
              "-vv",
              "--dry-run",
              "--output",
              "json",
              "--source",
              src,
              "--target",
              tgt,
              "--until",
              "2023-06-01T00:00:00Z");
      assertThat(dry.exitCode()).as("password %s: %s", password, dry).isZero();
      JsonNode summary = dry.event("summary");
      assertThat(summary.path("hypertables").get(0).path("hypertable").asText())
          .isEqualTo("public.metrics");
      assertThat(dry.out()).as("nothing in the events is a password").doesNotContain("********");
      assertThat(dry.err())
          .as("SQL is logged at -vv, and no password field shows")
          .contains(" DEBUG ")
          .doesNotContain(":" + password + "@")
          .doesNotContain("password='" + password + "'")
          .doesNotContain("password=" + password + " ");

      // A user named like the password is not a password.
      ToolRun unreachable =
          ToolProcess.run(
              Map.of(),
              LIMIT,
              "clean",
              "-vv",
              "--output",
              "json",
              "--target",
              "postgres://postgres:" + password + "@127.0.0.1:1/x?connect_timeout=2");
      assertThat(unreachable.exitCode()).as("%s", unreachable).isEqualTo(5);
      JsonNode error = unreachable.event("error");
      assertThat(error.path("message").asText())
          .contains("127.0.0.1:1")
          .contains("postgres")
          .doesNotContain("********");
      assertThat(unreachable.all()).doesNotContain(":" + password + "@");
    }
  }
}
