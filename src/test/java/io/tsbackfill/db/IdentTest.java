package io.tsbackfill.db;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The one spelling of names in output: {@code format('%I.%I')}, and back from qnames. */
class IdentTest {
  @Test
  void displayQuotesOnlyWhereFormatIWould() {
    assertThat(Ident.display("public", "metrics")).isEqualTo("public.metrics");
    assertThat(Ident.display("_timescaledb_internal", "_hyper_1_4_chunk"))
        .isEqualTo("_timescaledb_internal._hyper_1_4_chunk");
    assertThat(Ident.display("Zoo", "Mixed Case")).isEqualTo("\"Zoo\".\"Mixed Case\"");
    assertThat(Ident.display("public", "order")).isEqualTo("public.\"order\"");
    assertThat(Ident.display("public", "name")).as("unreserved keyword").isEqualTo("public.name");
    assertThat(Ident.display("public", "1abc")).isEqualTo("public.\"1abc\"");
    assertThat(Ident.display("s", "ünï")).isEqualTo("s.\"ünï\"");
    assertThat(Ident.display("we\"ird", "t")).isEqualTo("\"we\"\"ird\".t");
  }

  @Test
  void aQnameIsRespelled() {
    assertThat(Ident.display(Ident.qname("public", "metrics"))).isEqualTo("public.metrics");
    assertThat(Ident.display(Ident.qname("we\"ird; \".\"s", "select; \"x\"")))
        .isEqualTo(Ident.display("we\"ird; \".\"s", "select; \"x\""));
    assertThat(Ident.display("not a qname")).isEqualTo("not a qname");
  }
}
