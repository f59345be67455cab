package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void masksPasswordsInUrisAndKeyValueStrings() {
    assertThat(Redactor.redact("postgres://u:hunter2@h/db"))
        .isEqualTo("postgres://u:********@h/db");
    assertThat(Redactor.redact("postgresql://u:a:b@h/db")).doesNotContain("a:b");
    assertThat(Redactor.redact("postgres://u:p@ss@h/db")).isEqualTo("postgres://u:********@h/db");
    assertThat(Redactor.redact("see postgres://:e@h:5432/db?x=1 and more"))
        .isEqualTo("see postgres://:********@h:5432/db?x=1 and more");
    assertThat(Redactor.redact("host=h password=hunter3 user=u"))
        .isEqualTo("host=h password=******** user=u");
    assertThat(Redactor.redact("host=h password='with space' user=u"))
        .isEqualTo("host=h password=******** user=u");
    assertThat(Redactor.redact("host=h password = 'it\\'s' user=u"))
        .isEqualTo("host=h password = ******** user=u");
    assertThat(Redactor.redact("host=h password='unterminated and more"))
        .isEqualTo("host=h password=********");
    assertThat(Redactor.redact("sslpassword=k3y PGPASSWORD=x Password=\"a b\" end"))
        .isEqualTo("sslpassword=******** PGPASSWORD=******** Password=******** end");
    assertThat(Redactor.redact("jdbc:postgresql://h/d?user=u&password=hunter4&ssl=1"))
        .isEqualTo("jdbc:postgresql://h/d?user=u&password=********&ssl=1");
    assertThat(Redactor.redact("{user=u, password=hunter5, ssl=true}")).doesNotContain("hunter5");
  }

  @Test
  void masksPasswordsInJsonAndSql() {
    assertThat(Redactor.redact("{\"user\":\"u\",\"password\":\"p\\\"w\"}"))
        .isEqualTo("{\"user\":\"u\",\"password\":\"********\"}");
    assertThat(Redactor.redact("CREATE ROLE r LOGIN PASSWORD 'it''s'; SELECT 1"))
        .isEqualTo("CREATE ROLE r LOGIN PASSWORD '********'; SELECT 1");
    assertThat(Redactor.redact("ALTER ROLE r ENCRYPTED PASSWORD $x$p$x$"))
        .isEqualTo("ALTER ROLE r ENCRYPTED PASSWORD '********'");
    assertThat(Redactor.redact("ALTER ROLE r PASSWORD NULL"))
        .isEqualTo("ALTER ROLE r PASSWORD NULL");
  }

  @Test
  void leavesOrdinaryTextAlone() {
    for (String text :
        new String[] {
          "copied 12 rows into \"a\".\"b\"",
          "Dry run: nothing is written to the target.",
          "cannot connect to the target database postgres at 127.0.0.1:1 as user postgres",
          "FATAL: password authentication failed for user \"postgres\"",
          "password: missing; give one in the URI",
          "postgres://user@host:5432/db"
        }) {
      assertThat(Redactor.redact(text)).isEqualTo(text);
    }
  }
}
