package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactorTest {
  @Test
  void masksPasswordsInUrisAndKeyValueStrings() {
    assertThat(Redactor.redact("postgres://u:hunter2@h/db")).isEqualTo("postgres://u:********@h/db");
    assertThat(Redactor.redact("postgresql://u:a:b@h/db")).doesNotContain("a:b");
    assertThat(Redactor.redact("host=h password=hunter3 user=u"))
        .isEqualTo("host=h password=******** user=u");
    assertThat(Redactor.redact("host=h password='with space' user=u"))
        .isEqualTo("host=h password=******** user=u");
    assertThat(Redactor.redact("jdbc:postgresql://h/d?user=u&password=hunter4&ssl=1"))
        .doesNotContain("hunter4");
  }

  @Test
  void masksRegisteredSecretsAnywhere() {
    Redactor.register("s3cr3t-value");
    assertThat(Redactor.redact("login failed with s3cr3t-value!")).isEqualTo("login failed with ********!");
  }

  @Test
  void leavesOrdinaryTextAlone() {
    assertThat(Redactor.redact("copied 12 rows into \"a\".\"b\"")).isEqualTo("copied 12 rows into \"a\".\"b\"");
  }
}
