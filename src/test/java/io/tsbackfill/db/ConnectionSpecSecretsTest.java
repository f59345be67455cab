package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.error.BackfillException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Parse errors never echo pieces of a password that spilled out of its place. */
class ConnectionSpecSecretsTest {
  private static final ClientEnvironment NO_ENV =
      withVariables(Map.of("PGPASSFILE", "/nonexistent"));

  /** {@code variables} as the environment, with a user and a home folder of the test's own. */
  static ClientEnvironment withVariables(Map<String, String> variables) {
    return new ClientEnvironment(variables, "os-user", Path.of("/nonexistent-home"));
  }

  private static void rejectedWithout(String text, String piece, String reason) {
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, text, NO_ENV))
        .isInstanceOf(BackfillException.class)
        .hasMessageContaining(reason)
        .hasMessageNotContaining(piece);
  }

  @Test
  void anUnescapedQuoteInAKeyValuePassword() {
    rejectedWithout(
        "host=h password='ab'Cd9z rest' user=u",
        "Cd9z",
        "missing '=' after the word at character 21 (not shown");
    rejectedWithout("host=h password='ab'Cd9z=1", "Cd9z", "unknown connection parameter (not");
  }

  @Test
  void aUriPasswordThatIsNotPercentEncoded() {
    rejectedWithout(
        "postgres://u:Xy9?k/v@h/db",
        "Xy9",
        "invalid port in a URI that holds a" + " password (not shown)");
    rejectedWithout(
        "postgres://u:p@h/db?Zq7w",
        "Zq7w",
        "invalid URI parameter in a URI that" + " holds a password (not shown)");
    rejectedWithout("postgres://u:a%Zq7@h/db", "Zq7", "invalid percent-encoding in the URI");
  }

  @Test
  void withoutAPasswordTheWordIsShown() {
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "host=h dbnme", NO_ENV))
        .hasMessageContaining("missing '=' after 'dbnme'");
    assertThatThrownBy(() -> ConnectionSpec.parse(Side.SOURCE, "postgres://h/db?sslmod", NO_ENV))
        .hasMessageContaining("invalid URI parameter 'sslmod'");
  }
}
