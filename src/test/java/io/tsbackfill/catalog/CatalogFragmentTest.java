package io.tsbackfill.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tsbackfill.db.Sql;
import org.junit.jupiter.api.Test;

/** Fragment calls in catalog SQL: each argument put in for its number, the comments left out. */
class CatalogFragmentTest {
  @Test
  void argumentsReplaceTheirNumbersAndCommentsGo() {
    String out =
        CatalogLayout.expandFragments(
            "SELECT 1 WHERE x IN ({chunks_with_slices(k.dims, k.s,\n    k.t)})");
    assertThat(out)
        .startsWith("SELECT 1 WHERE x IN (SELECT s.chunk_id")
        .endsWith("= jsonb_array_length(k.dims))")
        .contains("jsonb_to_recordset(k.dims)")
        .contains("h.schema_name = k.s AND h.table_name = k.t")
        .doesNotContain("$1")
        .doesNotContain("--");
  }

  @Test
  void everyStatementThatCallsAFragmentExpandsCompletely() {
    for (String name :
        new String[] {
          "catalog/find-chunk",
          "catalog/overlapping-chunks",
          "catalog/create-missing-chunks",
          "task/claimed",
          "task/pending-copy-without-target-chunk"
        }) {
      String out = CatalogLayout.expandFragments(Sql.load(name));
      assertThat(out)
          .as(name)
          .doesNotContain("{chunks_")
          .doesNotContain("{task_")
          .doesNotContainPattern("\\$[0-9]");
    }
  }

  @Test
  void tooFewArgumentsAreRefused() {
    assertThatThrownBy(() -> CatalogLayout.expandFragments("({chunks_overlapping(a, b)})"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aPlaceholderForAnArgumentUsedTwiceIsRefused() {
    assertThatThrownBy(() -> CatalogLayout.expandFragments("({chunks_overlapping(a, ?, ?)})"))
        .isInstanceOf(IllegalStateException.class);
  }
}
