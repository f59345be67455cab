package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsbackfill.db.Ident;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Ident#display} spells every name as the server's {@code format('%I.%I')} does: each
 * keyword the server knows, and names that need quoting for other reasons.
 */
class IdentIT extends IntegrationTest {
  @Test
  void displayAgreesWithTheServerOnEveryKeywordAndOddName() {
    List<String> names = new ArrayList<>();
    for (List<String> row : source.rows("SELECT word FROM pg_get_keywords()")) {
      names.add(row.get(0));
    }
    names.addAll(List.of("metrics", "Metrics", "_x1", "1x", "a b", "we\"ird", "ünï", "x$y", ""));
    for (String n : names) {
      String server = source.value("SELECT format('%I.%I', 'public', " + Ident.literal(n) + ")");
      assertThat(Ident.display("public", n)).as("display of %s", n).isEqualTo(server);
    }
  }
}
