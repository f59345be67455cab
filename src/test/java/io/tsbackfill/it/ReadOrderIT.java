package io.tsbackfill.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The order copy sends a chunk's rows in: last stored first (in segments of the chunk's blocks)
 * where every time index of the target hypertable sorts descending, so rows stored in ascending
 * time arrive in descending time; as stored otherwise. The rule is the hypertable's, not the
 * chunk's, so the outcome does not depend on timings or statistics. Every row arrives once either
 * way, on both write paths, and the time index of a chunk copied last first is as compact as a
 * freshly built one.
 */
class ReadOrderIT extends IntegrationTest {
  private static final String[] TABLES = {
    "public.stored_ascending", "public.stored_descending", "public.ascending_index"
  };

  @Test
  void rowsArriveInTheOrderTheTargetTimeIndexSortsOnTheDirectPath() {
    sourceFixtureWithRestoredTarget("stored-orders");
    copyAndCheck("direct");
  }

  @Test
  void rowsArriveInTheOrderTheTargetTimeIndexSortsOnTheRoutedPath() {
    sourceFixtureWithFreshTarget("stored-orders");
    copyAndCheck("routed");
  }

  @Test
  void aBoundInsideTheChunkCopiesItsRowsBeforeTheBoundOnceAndKeepsTheRest() {
    sourceFixtureWithRestoredTarget("stored-orders");
    target.exec(
        "INSERT INTO public.stored_ascending SELECT '2024-08-01 12:00:00+00'::timestamptz"
            + " + g * interval '1 second', -1, 0, 'dual-written' FROM generate_series(0, 999) g");
    assertOk(stage("--filter", "^public\\.stored_ascending$", "--until", "2024-08-01T12:00:00Z"));
    assertOk(copy("-p", "1", "--row-order", "auto"));

    String before = "time < '2024-08-01 12:00:00+00'";
    assertSameRows("public.stored_ascending", before);
    assertThat(
            target.count("SELECT count(*) FROM public.stored_ascending WHERE NOT (" + before + ")"))
        .as("target rows at or after --until: the 1000 dual-written ones, untouched")
        .isEqualTo(1000);
    assertThat(
            target.count(
                "SELECT count(*) FROM public.stored_ascending WHERE device = -1 AND " + before))
        .as("dual-written rows before --until")
        .isZero();
  }

  private void copyAndCheck(String path) {
    assertOk(stage("--until", "2024-08-02T00:00:00Z"));
    assertOk(
        path.equals("routed")
            ? copyRouted("-p", "2", "--row-order", "auto")
            : copy("-p", "2", "--row-order", "auto"));
    assertThat(taskCount("copy_path <> '" + path + "'"))
        .as("tasks not on the %s path", path)
        .isZero();
    for (String table : TABLES) {
      assertSameRows(table, null);
    }
    assertThat(risingSteps("public.stored_ascending"))
        .as(
            "rows of the ascending chunk stored in ascending time on the target (want none:"
                + " sent last first)")
        .isZero();
    assertThat(fallingSteps("public.stored_descending"))
        .as(
            "rows of the descending chunk stored in descending time on the target (want none:"
                + " the order is the target hypertable's, decided once per run, so its rows go last"
                + " first too)")
        .isZero();
    assertThat(fallingSteps("public.ascending_index"))
        .as(
            "rows stored in descending time on the target under an ascending index (want none:"
                + " sent as stored)")
        .isZero();

    String chunk = chunkOf("public.stored_ascending");
    String index =
        target.value(
            "SELECT indexrelid::regclass::text FROM pg_index i"
                + " JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]"
                + " WHERE indrelid = '"
                + chunk
                + "'::regclass AND a.attname = 'time' AND i.indnatts = 1");
    long copied = target.count("SELECT pg_relation_size('" + index + "')");
    target.exec("REINDEX INDEX " + index);
    long built = target.count("SELECT pg_relation_size('" + index + "')");
    assertThat(copied)
        .as("bytes of the chunk's time index after the copy; after REINDEX it has %d", built)
        .isLessThanOrEqualTo(built * 11 / 10);
  }

  private String chunkOf(String hypertable) {
    return target.value("SELECT show_chunks('" + hypertable + "')::text");
  }

  /** Rows of the table's one target chunk with a later time than the row stored before them. */
  private long risingSteps(String hypertable) {
    return steps(hypertable, ">");
  }

  private long fallingSteps(String hypertable) {
    return steps(hypertable, "<");
  }

  private long steps(String hypertable, String op) {
    return target.count(
        "SELECT count(*) FROM (SELECT time, lag(time) OVER (ORDER BY ctid) AS before FROM ONLY "
            + chunkOf(hypertable)
            + ") s WHERE time "
            + op
            + " before");
  }
}
